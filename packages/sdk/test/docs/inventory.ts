import { FunctionError, IntType, defineFunction, valueSpec } from '@statehouse/sdk';
import { ItemReservedType, ItemUnavailableType, RequestItemType, RestockItemType } from './cart-types.js';

export const inventory = defineFunction({
  type: 'example/inventory',
  state: { inStock: valueSpec(IntType), reserved: valueSpec(IntType) },
  handle(ctx, message) {
    const inStock = ctx.state.inStock ?? 0;
    if (message.is(RestockItemType)) {
      ctx.state.inStock = inStock + message.as(RestockItemType).quantity;
    } else if (message.is(RequestItemType)) {
      const request = message.as(RequestItemType);
      if (ctx.caller === undefined) {
        throw new FunctionError('RequestItem must come from a function', { retryable: false });
      }
      if (request.quantity <= inStock) {
        ctx.state.inStock = inStock - request.quantity;
        ctx.state.reserved = (ctx.state.reserved ?? 0) + request.quantity;
        ctx.send(ctx.caller, ItemReservedType, request);
      } else {
        ctx.send(ctx.caller, ItemUnavailableType, request);
      }
    }
  },
});
