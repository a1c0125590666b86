/**
 * `example/cart` fed from Kafka: the cart of examples/shopping-cart, except that each AddToCart's outcome goes to
 * the Kafka topic `cart-results` (keyed by user) instead of a log egress. Checkout stays in examples/shopping-cart.
 */
import { defineFunction, kafkaEgressRecord, valueSpec } from '@statehouse/sdk';
import { inventory, messages } from '@statehouse/example-shopping-cart/src/index.js';

const {
  AddToCartResultType,
  AddToCartType,
  CartItemsType,
  ItemReservedType,
  ItemUnavailableType,
  RequestItemType,
} = messages;

/** The Kafka egress of module.yaml (`io.statefun.kafka.v1/egress`). */
export const RESULTS_EGRESS = 'example/cart-results';
/** The topic each AddToCart's outcome is written to, keyed by user id. */
export const RESULTS_TOPIC = 'cart-results';

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
      kafkaEgressRecord({ topic: RESULTS_TOPIC, key: userId, type: AddToCartResultType, value: result }),
    );
  },
});
