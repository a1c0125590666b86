/**
 * The bench's function service written with the official `apache-flink-statefun` SDK: the counter (log and Kafka
 * egress) and the testkit's official shopping cart. Prints `{"url":"http://127.0.0.1:<port>"}` once listening; stops on SIGTERM.
 */
import { createOfficialCart, serveHttp } from '@statehouse/testkit';
import {
  StateFun,
  egressMessageBuilder,
  kafkaEgressMessage,
  type Context,
  type Message,
} from 'apache-flink-statefun';

import {
  COUNTER_EGRESS,
  COUNTER_EVENT_TYPENAME,
  COUNTER_TYPE,
  INCREMENT_TYPENAME,
  KAFKA_COUNTER_TYPE,
  KAFKA_EGRESS,
  KAFKA_OUT_TOPIC,
} from '../names.js';
import type { CounterEvent, Increment } from '../names.js';

const IncrementType = StateFun.jsonType<Increment>(INCREMENT_TYPENAME);
const CounterEventType = StateFun.jsonType<CounterEvent>(COUNTER_EVENT_TYPENAME);

const statefun = createOfficialCart();
statefun.bind({
  typename: COUNTER_TYPE,
  specs: [{ name: 'count', type: StateFun.intType() }],
  fn(context: Context, message: Message) {
    const { seq, sentAt } = message.as(IncrementType)!;
    // The official SDK types `storage` as `any`: its properties are the specs above.
    const storage = context.storage as { count: number | null };
    const count = (storage.count ?? 0) + 1;
    storage.count = count;
    context.send(
      egressMessageBuilder({
        typename: COUNTER_EGRESS,
        value: { id: context.self.id, count, seq, sentAt },
        valueType: CounterEventType,
      }),
    );
  },
});

// The counter of the Kafka workload: its record goes to a Kafka topic, keyed by the counter's id.
statefun.bind({
  typename: KAFKA_COUNTER_TYPE,
  specs: [{ name: 'count', type: StateFun.intType() }],
  fn(context: Context, message: Message) {
    const { seq, sentAt } = message.as(IncrementType)!;
    const storage = context.storage as { count: number | null };
    const count = (storage.count ?? 0) + 1;
    storage.count = count;
    const event: CounterEvent = { id: context.self.id, count, seq, sentAt };
    context.send(
      kafkaEgressMessage({
        typename: KAFKA_EGRESS,
        topic: KAFKA_OUT_TOPIC,
        key: context.self.id,
        value: JSON.stringify(event),
      }),
    );
  },
});

const handler = statefun.handler();
const service = await serveHttp((req, res) => void handler(req, res));
console.log(JSON.stringify({ url: service.url }));
process.on('SIGTERM', () => void service.close().finally(() => process.exit(0)));
