/**
 * Differential: state reads and mutations (MODIFY, DELETE, zero values, batches) give identical answers.
 * Known difference, by design: the official SDK sends a mutation for every assignment, ours only for values
 * that changed (see the last test).
 */
import { StateFun, egressMessageBuilder, type Context, type Message } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BoolType,
  FloatType,
  IntType,
  StringType,
  defineFunction,
  jsonType,
  valueSpec,
} from '../../src/index.js';
import { encodeRequest, type TestValue } from '../support/wire.js';
import { startPair, type ServerPair } from './servers.js';

type Items = Record<string, number>;
const ItemsType = jsonType<Items>('example/items');
const EGRESS = 'example/echo';

const ours = defineFunction({
  type: 'example/state',
  state: {
    count: valueSpec(IntType),
    label: valueSpec(StringType),
    flag: valueSpec(BoolType),
    ratio: valueSpec(FloatType),
    items: valueSpec(ItemsType),
  },
  handle(ctx, message) {
    const [command, arg = ''] = message.asString().split(':');
    const s = ctx.state;
    if (command === 'inc') s.count = (s.count ?? 0) + 1;
    if (command === 'zero') Object.assign(s, { count: 0, label: '', flag: false, ratio: 0 });
    if (command === 'set') Object.assign(s, { label: 'hi', flag: true, ratio: 1.5, items: { a: 1 } });
    if (command === 'add') s.items = { ...s.items, [arg]: (s.items?.[arg] ?? 0) + 1 };
    if (command === 'delete') for (const name of arg.split(',')) delete s[name as keyof typeof s];
    if (command === 'same') s.count = s.count ?? 0;
    if (command === 'echo') {
      ctx.egress(
        EGRESS,
        StringType,
        JSON.stringify([s.count, s.label, s.flag, s.ratio, s.items].map((v) => v ?? null)),
      );
    }
  },
});

function official(context: Context, message: Message): void {
  const [command, arg = ''] = (message.asString() ?? '').split(':');
  const s = context.storage as Record<string, unknown> & { count: number | null; items: Items | null };
  if (command === 'inc') s.count = (s.count ?? 0) + 1;
  if (command === 'zero') Object.assign(s, { count: 0, label: '', flag: false, ratio: 0 });
  if (command === 'set') Object.assign(s, { label: 'hi', flag: true, ratio: 1.5, items: { a: 1 } });
  if (command === 'add') s.items = { ...s.items, [arg]: (s.items?.[arg] ?? 0) + 1 };
  if (command === 'delete') for (const name of arg.split(',')) s[name] = null;
  if (command === 'same') s.count = s.count ?? 0;
  if (command === 'echo') {
    const value = JSON.stringify([s.count, s['label'], s['flag'], s['ratio'], s.items].map((v) => v ?? null));
    context.send(egressMessageBuilder({ typename: EGRESS, value, valueType: StateFun.stringType() }));
  }
}

let pair: ServerPair;
beforeAll(async () => {
  pair = await startPair([ours], (statefun) =>
    statefun.bind({
      typename: 'example/state',
      specs: [
        { name: 'count', type: StateFun.intType() },
        { name: 'label', type: StateFun.stringType() },
        { name: 'flag', type: StateFun.booleanType() },
        { name: 'ratio', type: StateFun.floatType() },
        { name: 'items', type: StateFun.jsonType('example/items') },
      ],
      fn: official,
    }),
  );
});
afterAll(() => pair.close());

const target = { namespace: 'example', name: 'state', id: 'Kim' };
const cmd = (text: string): { argument: TestValue } => ({
  argument: { typename: StringType.typename, bytes: StringType.serialize(text) },
});
const empty = { count: undefined, label: undefined, flag: undefined, ratio: undefined, items: undefined };
const full = {
  count: { typename: IntType.typename, bytes: IntType.serialize(5) },
  label: { typename: StringType.typename, bytes: StringType.serialize('old') },
  flag: { typename: BoolType.typename, bytes: BoolType.serialize(true) },
  ratio: { typename: FloatType.typename, bytes: FloatType.serialize(0.5) },
  items: { typename: ItemsType.typename, bytes: ItemsType.serialize({ a: 2 }) },
};
const zeros = {
  count: { typename: IntType.typename, bytes: new Uint8Array(0) },
  label: { typename: StringType.typename, bytes: new Uint8Array(0) },
  flag: { typename: BoolType.typename, bytes: new Uint8Array(0) },
  ratio: { typename: FloatType.typename, bytes: new Uint8Array(0) },
  items: undefined,
};

describe('compat: state', () => {
  test.each([
    ['MODIFY from empty state', empty, ['inc']],
    [
      'a batch: later invocations see earlier changes',
      { ...empty, count: full.count },
      ['inc', 'inc', 'echo', 'add:b', 'add:b', 'echo'],
    ],
    ['zero values are MODIFY with empty bytes', full, ['zero', 'echo']],
    ['zero values arrive as empty bytes and read as 0 / "" / false', zeros, ['echo', 'inc']],
    ['setting every type', empty, ['set', 'echo']],
    ['DELETE of present values', full, ['delete:count,label,flag,ratio,items', 'echo']],
    ['read-only batch: no mutations', full, ['echo']],
    ['delete then set again in one batch', full, ['delete:count', 'inc', 'echo']],
  ] as const)('%s', async (_name, state, commands) => {
    const { ours: a, official: b } = await pair.compare(
      encodeRequest({ target, state, invocations: commands.map(cmd) }),
    );
    expect(a.kind).toBe('result');
    expect(a).toEqual(b);
  });

  test('difference by design: assigning an unchanged value is a MODIFY only in the official SDK', async () => {
    const { ours: a, official: b } = await pair.compare(
      encodeRequest({ target, state: full, invocations: [cmd('same')] }),
    );
    expect(a.mutations).toEqual([]);
    expect(b.mutations.map((m) => m.name)).toEqual(['count']);
  });

  test('difference by design: deleting an absent value is a DELETE only in the official SDK', async () => {
    const { ours: a, official: b } = await pair.compare(
      encodeRequest({ target, state: empty, invocations: [cmd('delete:label')] }),
    );
    expect(a.mutations).toEqual([]);
    expect(b.mutations.map((m) => m.name)).toEqual(['label']);
  });
});
