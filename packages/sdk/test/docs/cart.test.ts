import { runFunction } from '@statehouse/sdk';
import { describe, expect, test } from 'vitest';
import { cart } from './cart.js';
import { AddToCartResultType, AddToCartType, ItemReservedType, RequestItemType } from './cart-types.js';
import { inventory } from './inventory.js';

describe('shopping cart', () => {
  test('AddToCart asks the inventory, without changing the cart', async () => {
    const result = await runFunction(cart, {
      id: 'Kim',
      messages: [{ type: AddToCartType, value: { userId: 'Kim', itemId: 'socks', quantity: 2 } }],
    });
    expect(result.mutations).toEqual([]);
    expect(result.sent[0]?.target).toEqual(inventory.address('socks'));
    expect(result.sent[0]?.message.as(RequestItemType)).toEqual({ itemId: 'socks', quantity: 2 });
  });

  test('the inventory reserves stock and answers its caller', async () => {
    const result = await runFunction(inventory, {
      id: 'socks',
      state: { inStock: 5 },
      messages: [
        { type: RequestItemType, value: { itemId: 'socks', quantity: 2 }, caller: cart.address('Kim') },
      ],
    });
    expect(result.state).toEqual({ inStock: 3, reserved: 2 });
    expect(result.sent[0]?.target).toEqual(cart.address('Kim'));
    expect(result.sent[0]?.message.is(ItemReservedType)).toBe(true);
  });

  test('ItemReserved adds to the cart and acknowledges on the egress', async () => {
    const result = await runFunction(cart, {
      id: 'Kim',
      state: { items: { socks: 1 } },
      messages: [{ type: ItemReservedType, value: { itemId: 'socks', quantity: 2 } }],
    });
    expect(result.state.items).toEqual({ socks: 3 });
    expect(result.egress[0]?.egressId).toBe('example/cart-results');
    expect(result.egress[0]?.message.as(AddToCartResultType)).toEqual({
      userId: 'Kim',
      itemId: 'socks',
      quantity: 2,
      success: true,
    });
  });

  test('out of stock: ItemUnavailable, and the cart reports failure', async () => {
    const reply = await runFunction(inventory, {
      id: 'hats',
      messages: [
        { type: RequestItemType, value: { itemId: 'hats', quantity: 1 }, caller: cart.address('Kim') },
      ],
    });
    expect(reply.mutations).toEqual([]);
    const answer = reply.sent[0];
    if (answer === undefined) throw new Error('expected a reply');
    const result = await runFunction(cart, { id: 'Kim', messages: [answer.message] });
    expect(result.egress[0]?.message.as(AddToCartResultType).success).toBe(false);
    expect(result.state.items).toBeUndefined();
  });
});
