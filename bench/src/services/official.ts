/**
 * The bench's function service written with the official `apache-flink-statefun` SDK: the counter and the
 * testkit's official shopping cart. Prints `{"url":"http://127.0.0.1:<port>"}` once listening; stops on SIGTERM.
 */
import { createOfficialCart, serveHttp } from '@statehouse/testkit';
import { StateFun, egressMessageBuilder, type Context, type Message } from 'apache-flink-statefun';

import { COUNTER_EGRESS, COUNTER_EVENT_TYPENAME, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import type { CounterEvent, Increment } from '../names.js';

const IncrementType = StateFun.jsonType<Increment>(INCREMENT_TYPENAME);
const CounterEventType = StateFun.jsonType<CounterEvent>(COUNTER_EVENT_TYPENAME);

const statefun = createOfficialCart();
statefun.bind({
  typename: COUNTER_TYPE,
  specs: [{ name: 'count', type: StateFun.intType() }],
  fn(context: Context, message: Message) {
    const { seq, sentAt } = message.as(IncrementType)!;
    const count = ((context.storage.count as number | null) ?? 0) + 1;
    context.storage.count = count;
    context.send(
      egressMessageBuilder({
        typename: COUNTER_EGRESS,
        value: { id: context.self.id, count, seq, sentAt },
        valueType: CounterEventType,
      }),
    );
  },
});

const service = await serveHttp(statefun.handler() as Parameters<typeof serveHttp>[0]);
console.log(JSON.stringify({ url: service.url }));
process.on('SIGTERM', () => void service.close().finally(() => process.exit(0)));
