/**
 * `example/cart` on Kinesis: the cart of examples/shopping-cart, except that each AddToCart's outcome goes to the
 * Kinesis stream `cart-results` (partition key: the user id) instead of a log egress. Checkout stays in
 * examples/shopping-cart.
 */
import { defineFunction, kinesisEgressRecord, valueSpec } from '@statehouse/sdk';
import { inventory, messages } from '@statehouse/example-shopping-cart/src/index.js';

const {
  AddToCartResultType,
  AddToCartType,
  CartItemsType,
  ItemReservedType,
  ItemUnavailableType,
  RequestItemType,
} = messages;

/** The Kinesis egress of module.yaml (`io.statefun.kinesis.v1/egress`). */
export const RESULTS_EGRESS = 'example/cart-results-kinesis';
/** The stream each AddToCart's outcome is put to, partition key = user id. */
export const RESULTS_STREAM = 'cart-results';

/** `example/cart`, one instance per user: reserves items through the inventory and reports each outcome. */
export const cart = defineFunction({
  type: 'example/cart',
  state: { items: valueSpec(CartItemsType) },
  handle(ctx, message) {
    if (message.is(AddToCartType)) {
      const { itemId, quantity } = message.as(AddToCartType);
      ctx.send(inventory.address(itemId), RequestItemType, { itemId, quantity });
      return;
    }
    const success = message.is(ItemReservedType);
    const answer = success ? message.as(ItemReservedType) : message.as(ItemUnavailableType);
    if (success) {
      const items = { ...(ctx.state.items ?? {}) };
      items[answer.itemId] = (items[answer.itemId] ?? 0) + answer.quantity;
      ctx.state.items = items;
    }
    const userId = ctx.self.id;
    const result = { userId, itemId: answer.itemId, quantity: answer.quantity, success };
    ctx.egress(
      RESULTS_EGRESS,
      kinesisEgressRecord({
        stream: RESULTS_STREAM,
        partitionKey: userId,
        type: AddToCartResultType,
        value: result,
      }),
    );
  },
});
