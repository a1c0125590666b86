/**
 * `example/inventory`, one instance per item: holds in-stock and reserved counts, reserves stock for carts
 * and answers whoever asked.
 */
import { defineFunction, valueSpec } from '@statehouse/sdk';
import {
  ItemReservedType,
  ItemUnavailableType,
  RequestItemType,
  RestockType,
  ShipItemType,
  StockType,
} from './messages.js';

export const inventory = defineFunction({
  type: 'example/inventory',
  state: { stock: valueSpec(StockType) },
  handle(ctx, message) {
    const stock = ctx.state.stock ?? { inStock: 0, reserved: 0 };
    if (message.is(RestockType)) {
      ctx.state.stock = { ...stock, inStock: stock.inStock + message.as(RestockType).quantity };
      return;
    }
    if (message.is(ShipItemType)) {
      const { quantity } = message.as(ShipItemType);
      ctx.state.stock = { ...stock, reserved: Math.max(0, stock.reserved - quantity) };
      return;
    }
    const request = message.as(RequestItemType);
    if (ctx.caller === undefined) throw new Error('RequestItem must come from a cart (it has no caller)');
    if (stock.inStock >= request.quantity) {
      ctx.state.stock = {
        inStock: stock.inStock - request.quantity,
        reserved: stock.reserved + request.quantity,
      };
      ctx.send(ctx.caller, ItemReservedType, request);
    } else {
      ctx.send(ctx.caller, ItemUnavailableType, request);
    }
  },
});
