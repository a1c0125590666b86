/**
 * Differential: messages (with and without callers), replies to the caller, delayed messages and
 * cancellations give identical answers, in the same order.
 */
import { StateFun, messageBuilder, type Context, type Message } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IntType, StringType, address, defineFunction, jsonType, valueSpec } from '../../src/index.js';
import { encodeRequest, type TestAddress, type TestValue } from '../support/wire.js';
import { startPair, type ServerPair } from './servers.js';

interface Ping {
  readonly from: string;
  readonly n: number;
}
const PingType = jsonType<Ping>('example/ping');
const PongType = jsonType<{ to: string; n: number; by: string }>('example/pong');
const LOG = 'example/log';

const ours = defineFunction({
  type: 'example/messenger',
  state: { pings: valueSpec(IntType) },
  handle(ctx, message) {
    if (message.is(PingType)) {
      const ping = message.as(PingType);
      ctx.state.pings = (ctx.state.pings ?? 0) + 1;
      const to = ctx.caller ?? address(LOG, 'no-caller');
      ctx.send(to, PongType, { to: ping.from, n: ping.n + 1, by: ctx.self.id });
      return;
    }
    const command = message.asString();
    if (command === 'remind')
      ctx.sendAfter(1500, ctx.self, StringType, 'wake', { cancellationToken: `r-${ctx.self.id}` });
    if (command === 'later') ctx.sendAfter(0, address(LOG, 'x'), IntType, 42);
    if (command === 'cancel') ctx.cancelDelayedMessage(`r-${ctx.self.id}`);
    if (command === 'mixed') {
      ctx.sendAfter(10, address(LOG, 'a'), StringType, 'one', { cancellationToken: 't1' });
      ctx.send(address(LOG, 'b'), IntType, 42);
      ctx.cancelDelayedMessage('t1');
      ctx.sendAfter(20, address(LOG, 'c'), StringType, 'two');
    }
  },
});

function official(context: Context, message: Message): void {
  const storage = context.storage as { pings: number | null };
  if (message.is(StateFun.jsonType('example/ping'))) {
    const ping = message.as(StateFun.jsonType('example/ping')) as Ping;
    storage.pings = (storage.pings ?? 0) + 1;
    const to = context.caller ?? { typename: LOG, id: 'no-caller' };
    const pong = { to: ping.from, n: ping.n + 1, by: context.self.id };
    context.send(
      messageBuilder({
        typename: to.typename,
        id: to.id,
        value: pong,
        valueType: StateFun.jsonType('example/pong'),
      }),
    );
    return;
  }
  const command = message.asString();
  const self = { typename: context.self.typename, id: context.self.id };
  if (command === 'remind')
    context.sendAfter(1500, messageBuilder({ ...self, value: 'wake' }), `r-${self.id}`);
  if (command === 'later') context.sendAfter(0, messageBuilder({ typename: LOG, id: 'x', value: 42 }));
  if (command === 'cancel') context.cancelDelayedMessage(`r-${self.id}`);
  if (command === 'mixed') {
    context.sendAfter(10, messageBuilder({ typename: LOG, id: 'a', value: 'one' }), 't1');
    context.send(messageBuilder({ typename: LOG, id: 'b', value: 42 }));
    context.cancelDelayedMessage('t1');
    context.sendAfter(20, messageBuilder({ typename: LOG, id: 'c', value: 'two' }));
  }
}

let pair: ServerPair;
beforeAll(async () => {
  pair = await startPair([ours], (statefun) =>
    statefun.bind({
      typename: 'example/messenger',
      specs: [{ name: 'pings', type: StateFun.intType() }],
      fn: official,
    }),
  );
});
afterAll(() => pair.close());

const target = { namespace: 'example', name: 'messenger', id: 'm1' };
const alice: TestAddress = { namespace: 'example', name: 'player', id: 'alice' };
const bob: TestAddress = { namespace: 'other.ns', name: 'player', id: 'bob' };
const ping = (from: string, n: number): TestValue => ({
  typename: PingType.typename,
  bytes: PingType.serialize({ from, n }),
});
const text = (s: string): TestValue => ({ typename: StringType.typename, bytes: StringType.serialize(s) });

describe('compat: messaging', () => {
  test('replies go to each invocation’s caller', async () => {
    const request = encodeRequest({
      target,
      state: { pings: undefined },
      invocations: [
        { caller: alice, argument: ping('alice', 1) },
        { caller: bob, argument: ping('bob', 10) },
        { argument: ping('ingress', 0) },
      ],
    });
    const { ours: a, official: b } = await pair.compare(request);
    expect(a.messages.map((m) => m.target)).toEqual([
      'example/player/alice',
      'other.ns/player/bob',
      'example/log/no-caller',
    ]);
    expect(a).toEqual(b);
  });

  test('delayed messages with and without token, and cancellation', async () => {
    for (const commands of [['remind'], ['later'], ['cancel'], ['remind', 'cancel'], ['mixed']]) {
      const request = encodeRequest({
        target,
        state: { pings: undefined },
        invocations: commands.map((c) => ({ argument: text(c) })),
      });
      const { ours: a, official: b } = await pair.compare(request);
      expect(a.delayed.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
  });

  test('a batch mixing messages, delays and state', async () => {
    const request = encodeRequest({
      target,
      state: { pings: { typename: IntType.typename, bytes: IntType.serialize(0) } },
      invocations: [
        { argument: text('mixed') },
        { caller: alice, argument: ping('alice', 2) },
        { argument: text('remind') },
        { caller: bob, argument: ping('bob', 3) },
      ],
    });
    const { ours: a, official: b } = await pair.compare(request);
    expect(a.mutations).toHaveLength(1);
    expect(a).toEqual(b);
  });
});
