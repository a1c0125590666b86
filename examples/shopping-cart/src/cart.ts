/**
 * `example/cart`, one instance per user: asks the inventory to reserve items, keeps the reserved ones, and
 * reports each outcome to the `example/cart-results` egress; at checkout emits an order and ships the items.
 */
import { defineFunction, valueSpec } from '@statehouse/sdk';
import { inventory } from './inventory.js';
import {
  AddToCartResultType,
  AddToCartType,
  CART_RESULTS_EGRESS,
  CartItemsType,
  CheckoutType,
  ItemReservedType,
  ItemUnavailableType,
  ORDERS_EGRESS,
  OrderType,
  RequestItemType,
  ShipItemType,
} from './messages.js';

export const cart = defineFunction({
  type: 'example/cart',
  // A cart not changed for a day is dropped (its reservations stay with the inventory in this example).
  // expireAfterWrite rather than expireAfterCall: the latter rewrites the state on every invocation.
  state: { items: valueSpec(CartItemsType, { expireAfterWrite: 24 * 60 * 60 * 1000 }) },
  handle(ctx, message) {
    if (message.is(AddToCartType)) {
      const { itemId, quantity } = message.as(AddToCartType);
      // The cart's own state does not change until the inventory answers.
      ctx.send(inventory.address(itemId), RequestItemType, { itemId, quantity });
      return;
    }
    if (message.is(CheckoutType)) {
      const items = ctx.state.items ?? {};
      ctx.egress(ORDERS_EGRESS, OrderType, { userId: ctx.self.id, items });
      for (const [itemId, quantity] of Object.entries(items)) {
        ctx.send(inventory.address(itemId), ShipItemType, { itemId, quantity });
      }
      ctx.state.items = undefined;
      return;
    }
    const success = message.is(ItemReservedType);
    const answer = success ? message.as(ItemReservedType) : message.as(ItemUnavailableType);
    if (success) {
      const items = { ...(ctx.state.items ?? {}) };
      items[answer.itemId] = (items[answer.itemId] ?? 0) + answer.quantity;
      ctx.state.items = items;
    }
    ctx.egress(CART_RESULTS_EGRESS, AddToCartResultType, {
      userId: ctx.self.id,
      itemId: answer.itemId,
      quantity: answer.quantity,
      success,
    });
  },
});
