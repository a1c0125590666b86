import { describe, expect, test } from 'vitest';
import { address } from './address.js';
import { defineFunction } from './define-function.js';
import { kafkaEgressRecord, KafkaProducerRecordType } from './egress-records.js';
import { runFunction } from './harness.js';
import { jsonType } from './types/json-type.js';
import { IntType, StringType } from './types/well-known-types.js';
import { valueSpec } from './value-spec.js';

const Items = jsonType<Record<string, number>>('example/items');
const Add = jsonType<{ itemId: string; quantity: number }>('example/add');

const cart = defineFunction({
  type: 'example/cart',
  state: { items: valueSpec(Items), adds: valueSpec(IntType), note: valueSpec(StringType) },
  async handle(ctx, message) {
    await Promise.resolve();
    if (message.is(Add)) {
      const { itemId, quantity } = message.as(Add);
      ctx.state.items = { ...ctx.state.items, [itemId]: (ctx.state.items?.[itemId] ?? 0) + quantity };
      ctx.state.adds = (ctx.state.adds ?? 0) + 1;
      ctx.send(address('example/inventory', itemId), IntType, quantity);
      ctx.sendAfter(60_000, ctx.self, StringType, 'expire', { cancellationToken: `expire-${ctx.self.id}` });
    } else if (message.asString() === 'clear') {
      delete ctx.state.items;
      delete ctx.state.note;
      ctx.cancelDelayedMessage(`expire-${ctx.self.id}`);
      ctx.egress('example/out', kafkaEgressRecord({ topic: 'carts', key: ctx.self.id, value: 'cleared' }));
    }
  },
});

describe('runFunction', () => {
  test('returns typed state after and effects', async () => {
    const result = await runFunction(cart, {
      id: 'Kim',
      state: { items: { socks: 1 }, note: 'hi' },
      messages: [
        { type: Add, value: { itemId: 'socks', quantity: 2 } },
        { type: Add, value: { itemId: 'hat', quantity: 1 }, caller: address('example/ui', 'web') },
      ],
    });
    expect(result.state).toEqual({ items: { socks: 3, hat: 1 }, adds: 2, note: 'hi' });
    expect(result.mutations).toEqual([
      { name: 'items', kind: 'modify', value: { socks: 3, hat: 1 } },
      { name: 'adds', kind: 'modify', value: 2 },
    ]);
    expect(result.sent.map((s) => [s.target.id, s.message.as(IntType)])).toEqual([
      ['socks', 2],
      ['hat', 1],
    ]);
    expect(result.delayed).toHaveLength(2);
    expect(result.delayed[0]).toMatchObject({
      delayMs: 60_000,
      cancellationToken: 'expire-Kim',
      target: { type: 'example/cart', id: 'Kim' },
    });
    expect(result.delayed[0]?.message.asString()).toBe('expire');
    expect(result.cancellations).toEqual([]);
    expect(result.egress).toEqual([]);
  });

  test('reports deletes, cancellations and egress', async () => {
    const result = await runFunction(cart, {
      id: 'Kim',
      state: { items: { socks: 1 }, adds: 0 },
      messages: [{ type: StringType, value: 'clear' }],
    });
    expect(result.state).toEqual({ adds: 0 });
    expect(result.mutations).toEqual([{ name: 'items', kind: 'delete' }]);
    expect(result.cancellations).toEqual(['expire-Kim']);
    expect(result.egress[0]?.egressId).toBe('example/out');
    const record = result.egress[0]?.message.as(KafkaProducerRecordType);
    expect(record).toMatchObject({ topic: 'carts', key: 'Kim' });
    expect(new TextDecoder().decode(record?.valueBytes)).toBe('cleared');
  });

  test('takes encoded messages and defaults the id', async () => {
    const seen: string[] = [];
    const fn = defineFunction({
      type: 'example/echo',
      handle: (ctx, m) => void seen.push(`${ctx.self.id}:${m.asString()}`),
    });
    await runFunction(fn, {
      messages: [{ typename: StringType.typename, bytes: StringType.serialize('raw') }],
    });
    expect(seen).toEqual(['test:raw']);
  });

  test('rejects a message that is neither typed nor encoded', async () => {
    const fn = defineFunction({ type: 'example/echo', handle: () => {} });
    await expect(runFunction(fn, { messages: [{ value: 1 } as never] })).rejects.toMatchObject({
      code: 'ERR_SDK_INVALID_VALUE',
    });
  });
});
