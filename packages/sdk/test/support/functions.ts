/** A small function used by the handler tests. */
import { IntType, StringType, defineFunction, valueSpec } from '../../src/index.js';

export const greeter = defineFunction({
  type: 'example/greeter',
  state: { seen: valueSpec(IntType) },
  handle(ctx, message) {
    const name = message.asString();
    if (name === 'fail') throw new Error('cannot greet "fail"');
    const seen = (ctx.state.seen ?? 0) + 1;
    ctx.state.seen = seen;
    ctx.egress('example/greetings', StringType, `Hello ${name} #${seen}`);
  },
});

export const greeterTarget = { namespace: 'example', name: 'greeter', id: 'alice' };
