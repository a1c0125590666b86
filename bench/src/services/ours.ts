/**
 * The bench's function service written with `@statehouse/sdk`: the counter (log, Kafka and Kinesis egress) and the
 * shopping cart of examples/shopping-cart. Prints `{"url":"http://127.0.0.1:<port>"}` once listening; stops on SIGTERM.
 */
import {
  defineFunction,
  IntType,
  jsonType,
  kafkaEgressRecord,
  kinesisEgressRecord,
  serve,
  valueSpec,
} from '@statehouse/sdk';
import { functions as cartFunctions } from '@statehouse/example-shopping-cart/src/index.js';

import {
  COUNTER_EGRESS,
  COUNTER_EVENT_TYPENAME,
  COUNTER_TYPE,
  INCREMENT_TYPENAME,
  KAFKA_COUNTER_TYPE,
  KAFKA_EGRESS,
  KAFKA_OUT_TOPIC,
  KINESIS_COUNTER_TYPE,
  KINESIS_EGRESS,
  KINESIS_OUT_STREAM,
} from '../names.js';
import type { CounterEvent, Increment } from '../names.js';

const IncrementType = jsonType<Increment>(INCREMENT_TYPENAME);
const CounterEventType = jsonType<CounterEvent>(COUNTER_EVENT_TYPENAME);

const counter = defineFunction({
  type: COUNTER_TYPE,
  state: { count: valueSpec(IntType) },
  handle(ctx, message) {
    const { seq, sentAt } = message.as(IncrementType);
    const count = (ctx.state.count ?? 0) + 1;
    ctx.state.count = count;
    ctx.egress(COUNTER_EGRESS, CounterEventType, { id: ctx.self.id, count, seq, sentAt });
  },
});

/** The counter of the Kafka workload: its record goes to a Kafka topic, keyed by the counter's id. */
const kafkaCounter = defineFunction({
  type: KAFKA_COUNTER_TYPE,
  state: { count: valueSpec(IntType) },
  handle(ctx, message) {
    const { seq, sentAt } = message.as(IncrementType);
    const count = (ctx.state.count ?? 0) + 1;
    ctx.state.count = count;
    const event: CounterEvent = { id: ctx.self.id, count, seq, sentAt };
    ctx.egress(
      KAFKA_EGRESS,
      kafkaEgressRecord({ topic: KAFKA_OUT_TOPIC, key: ctx.self.id, type: CounterEventType, value: event }),
    );
  },
});

/** The counter of the Kinesis workload: its record goes to a Kinesis stream, partition key = the counter's id. */
const kinesisCounter = defineFunction({
  type: KINESIS_COUNTER_TYPE,
  state: { count: valueSpec(IntType) },
  handle(ctx, message) {
    const { seq, sentAt } = message.as(IncrementType);
    const count = (ctx.state.count ?? 0) + 1;
    ctx.state.count = count;
    const event: CounterEvent = { id: ctx.self.id, count, seq, sentAt };
    ctx.egress(
      KINESIS_EGRESS,
      kinesisEgressRecord({
        stream: KINESIS_OUT_STREAM,
        partitionKey: ctx.self.id,
        type: CounterEventType,
        value: event,
      }),
    );
  },
});

const server = await serve([counter, kafkaCounter, kinesisCounter, ...cartFunctions], {
  host: '127.0.0.1',
  port: 0,
});
server.server.keepAliveTimeout = 60_000;
console.log(JSON.stringify({ url: server.url.replace(/\/$/, '') }));
process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
