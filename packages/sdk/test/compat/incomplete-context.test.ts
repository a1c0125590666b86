/**
 * Differential: when declared states are missing, both SDKs answer the same IncompleteInvocationContext
 * (every missing spec, in declaration order, with typename and expiration; no expiration spec when none).
 */
import { StateFun } from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IntType, StringType, defineFunction, jsonType, valueSpec } from '../../src/index.js';
import { encodeRequest } from '../support/wire.js';
import { startPair, type ServerPair } from './servers.js';

const ITEMS = 'example/items';
const ours = defineFunction({
  type: 'example/specs',
  state: {
    seen: valueSpec(IntType, { expireAfterWrite: 60_000 }),
    items: valueSpec(jsonType(ITEMS), { expireAfterCall: 86_400_000 }),
    label: valueSpec(StringType),
  },
  handle() {},
});

let pair: ServerPair;
beforeAll(async () => {
  pair = await startPair([ours], (statefun) =>
    statefun.bind({
      typename: 'example/specs',
      specs: [
        { name: 'seen', type: StateFun.intType(), expireAfterWrite: 60_000 },
        { name: 'items', type: StateFun.jsonType(ITEMS), expireAfterCall: 86_400_000 },
        { name: 'label', type: StateFun.stringType() },
      ],
      fn() {},
    }),
  );
});
afterAll(() => pair.close());

const target = { namespace: 'example', name: 'specs', id: 'a' };
const invocations = [{ argument: { typename: StringType.typename, bytes: StringType.serialize('x') } }];

describe('compat: incomplete invocation context', () => {
  test('no state at all: every spec is missing', async () => {
    const { ours: a, official: b } = await pair.compare(encodeRequest({ target, invocations }));
    expect(a.kind).toBe('incomplete');
    expect(a.missing).toHaveLength(3);
    expect(a).toEqual(b);
  });

  test('some states present (with and without value): only the others are missing', async () => {
    const request = encodeRequest({
      target,
      state: { items: undefined, seen: { typename: IntType.typename, bytes: IntType.serialize(3) } },
      invocations,
    });
    const { ours: a, official: b } = await pair.compare(request);
    expect(a.missing.map((m) => m.name)).toEqual(['label']);
    expect(a).toEqual(b);
  });

  test('all states present: no incomplete context from either', async () => {
    const request = encodeRequest({
      target,
      state: { seen: undefined, items: undefined, label: undefined, extra: undefined },
      invocations,
    });
    const { ours: a, official: b } = await pair.compare(request);
    expect(a.kind).toBe('result');
    expect(a).toEqual(b);
  });
});
