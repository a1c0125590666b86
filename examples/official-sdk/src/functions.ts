/**
 * The shopping cart written with the official Apache Flink StateFun JavaScript SDK (`apache-flink-statefun`
 * 3.3.0), exactly as for a StateFun cluster. Same function types, messages, states and egresses as
 * examples/shopping-cart (written with @statehouse/sdk), so the two are interchangeable behind one module.yaml.
 *
 * - `example/cart`, one instance per user, state `items` (item id → quantity): asks the item's inventory to
 *   reserve, keeps what was reserved, reports each outcome to the `example/cart-results` egress; on Checkout
 *   emits an `example/Order` to the `example/orders` egress, ships the items and empties the cart.
 * - `example/inventory`, one instance per item, state `stock` ({inStock, reserved}): Restock adds stock,
 *   RequestItem reserves (or not) and answers the caller, ShipItem removes reserved stock.
 */
import {
  StateFun,
  egressMessageBuilder,
  messageBuilder,
  type Context,
  type Message,
} from 'apache-flink-statefun';

/** Ingress → `(example/cart, userId)`. */
export interface AddToCart {
  userId: string;
  itemId: string;
  quantity: number;
}
/** RequestItem, ItemReserved, ItemUnavailable, Restock and ShipItem all carry an item and a quantity. */
export interface ItemQuantity {
  itemId: string;
  quantity: number;
}
/** Ingress → `(example/cart, userId)`: buy what is in the cart. */
export interface Checkout {
  userId: string;
}
/** Egress `example/cart-results`. */
export interface AddToCartResult {
  userId: string;
  itemId: string;
  quantity: number;
  success: boolean;
}
/** Egress `example/orders`. */
export interface Order {
  userId: string;
  items: Record<string, number>;
}
/** State `stock` of an inventory item. */
export interface Stock {
  inStock: number;
  reserved: number;
}

export const AddToCartType = StateFun.jsonType<AddToCart>('example/AddToCart');
export const RequestItemType = StateFun.jsonType<ItemQuantity>('example/RequestItem');
export const ItemReservedType = StateFun.jsonType<ItemQuantity>('example/ItemReserved');
export const ItemUnavailableType = StateFun.jsonType<ItemQuantity>('example/ItemUnavailable');
export const RestockType = StateFun.jsonType<ItemQuantity>('example/Restock');
export const CheckoutType = StateFun.jsonType<Checkout>('example/Checkout');
export const ShipItemType = StateFun.jsonType<ItemQuantity>('example/ShipItem');
export const AddToCartResultType = StateFun.jsonType<AddToCartResult>('example/AddToCartResult');
export const OrderType = StateFun.jsonType<Order>('example/Order');
export const CartItemsType = StateFun.jsonType<Record<string, number>>('example/CartItems');
export const StockType = StateFun.jsonType<Stock>('example/Stock');

export const CART_RESULTS_EGRESS = 'example/cart-results';
export const ORDERS_EGRESS = 'example/orders';

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

/** `context.storage` has one property per declared state; `null` when it has no value, assign `null` to delete. */
interface CartStorage {
  items: Record<string, number> | null;
}
interface InventoryStorage {
  stock: Stock | null;
}

function cart(context: Context, message: Message): void {
  const storage = context.storage as CartStorage;
  if (message.is(AddToCartType)) {
    const { itemId, quantity } = message.as(AddToCartType)!;
    // The cart's own state does not change until the inventory answers.
    context.send(
      messageBuilder({
        typename: 'example/inventory',
        id: itemId,
        value: { itemId, quantity },
        valueType: RequestItemType,
      }),
    );
    return;
  }
  if (message.is(CheckoutType)) {
    const items = storage.items ?? {};
    context.send(
      egressMessageBuilder({
        typename: ORDERS_EGRESS,
        value: { userId: context.self.id, items },
        valueType: OrderType,
      }),
    );
    for (const [itemId, quantity] of Object.entries(items)) {
      context.send(
        messageBuilder({
          typename: 'example/inventory',
          id: itemId,
          value: { itemId, quantity },
          valueType: ShipItemType,
        }),
      );
    }
    storage.items = null; // deletes the state
    return;
  }
  const success = message.is(ItemReservedType);
  if (!success && !message.is(ItemUnavailableType)) {
    throw new Error(`example/cart cannot handle ${message.valueTypeName}`);
  }
  const answer = message.as(success ? ItemReservedType : ItemUnavailableType)!;
  if (success) {
    const items = storage.items ?? {};
    items[answer.itemId] = (items[answer.itemId] ?? 0) + answer.quantity;
    storage.items = items; // assign to write: changing the object in place is not a mutation
  }
  context.send(
    egressMessageBuilder({
      typename: CART_RESULTS_EGRESS,
      value: { userId: context.self.id, itemId: answer.itemId, quantity: answer.quantity, success },
      valueType: AddToCartResultType,
    }),
  );
}

function inventory(context: Context, message: Message): void {
  const storage = context.storage as InventoryStorage;
  const stock = storage.stock ?? { inStock: 0, reserved: 0 };
  if (message.is(RestockType)) {
    stock.inStock += message.as(RestockType)!.quantity;
    storage.stock = stock;
    return;
  }
  if (message.is(ShipItemType)) {
    stock.reserved = Math.max(0, stock.reserved - message.as(ShipItemType)!.quantity);
    storage.stock = stock;
    return;
  }
  if (!message.is(RequestItemType)) {
    throw new Error(`example/inventory cannot handle ${message.valueTypeName}`);
  }
  const request = message.as(RequestItemType)!;
  const caller = context.caller;
  if (caller === null) throw new Error('RequestItem must come from a cart (it has no caller)');
  const reserved = stock.inStock >= request.quantity;
  if (reserved) {
    stock.inStock -= request.quantity;
    stock.reserved += request.quantity;
    storage.stock = stock;
  }
  // Answer whoever asked.
  context.send(
    messageBuilder({
      typename: caller.typename,
      id: caller.id,
      value: request,
      valueType: reserved ? ItemReservedType : ItemUnavailableType,
    }),
  );
}

/** A StateFun with `example/cart` and `example/inventory` bound; serve it with `statefun.handler()`. */
export function createStatefun(): StateFun {
  const statefun = new StateFun();
  statefun.bind({
    typename: 'example/cart',
    specs: [{ name: 'items', type: CartItemsType, expireAfterCall: ONE_DAY_MS }],
    fn: cart,
  });
  statefun.bind({
    typename: 'example/inventory',
    specs: [{ name: 'stock', type: StockType }],
    fn: inventory,
  });
  return statefun;
}
