import { FunctionError, address, defineFunction, valueSpec } from '@statehouse/sdk';
import {
  AddToCartResultType,
  AddToCartType,
  CART_RESULTS,
  ItemReservedType,
  ItemUnavailableType,
  ItemsType,
  RequestItemType,
} from './cart-types.js';

export const cart = defineFunction({
  type: 'example/cart',
  state: { items: valueSpec(ItemsType, { expireAfterCall: 7 * 24 * 60 * 60_000 }) },
  handle(ctx, message) {
    const userId = ctx.self.id;
    if (message.is(AddToCartType)) {
      // Ask the item's inventory; the cart changes only once the items are reserved.
      const { itemId, quantity } = message.as(AddToCartType);
      ctx.send(address('example/inventory', itemId), RequestItemType, { itemId, quantity });
    } else if (message.is(ItemReservedType)) {
      const { itemId, quantity } = message.as(ItemReservedType);
      const items = ctx.state.items ?? {};
      ctx.state.items = { ...items, [itemId]: (items[itemId] ?? 0) + quantity };
      ctx.egress(CART_RESULTS, AddToCartResultType, { userId, itemId, quantity, success: true });
    } else if (message.is(ItemUnavailableType)) {
      const { itemId, quantity } = message.as(ItemUnavailableType);
      ctx.egress(CART_RESULTS, AddToCartResultType, { userId, itemId, quantity, success: false });
    } else {
      // Retrying cannot help: tell the runtime so.
      throw new FunctionError(`example/cart cannot handle ${message.typename}`, { retryable: false });
    }
  },
});
