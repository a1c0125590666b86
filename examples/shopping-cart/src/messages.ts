/** The messages of the shopping cart, as JSON types (readable in the HTTP API's `json` field). */
import { jsonType } from '@statehouse/sdk';

/** Ingress → `(example/cart, userId)`: put `quantity` of `itemId` into the cart. */
export interface AddToCart {
  readonly userId: string;
  readonly itemId: string;
  readonly quantity: number;
}
/** Cart → `(example/inventory, itemId)`: reserve stock. */
export interface RequestItem {
  readonly itemId: string;
  readonly quantity: number;
}
/** Inventory → cart: the reservation succeeded or failed. */
export interface ItemAnswer {
  readonly itemId: string;
  readonly quantity: number;
}
/** Ingress → `(example/inventory, itemId)`: add stock. */
export interface Restock {
  readonly itemId: string;
  readonly quantity: number;
}
/** Ingress → `(example/cart, userId)`: buy what is in the cart. */
export interface Checkout {
  readonly userId: string;
}
/** Cart → `(example/inventory, itemId)` at checkout: reserved stock leaves the warehouse. */
export interface ShipItem {
  readonly itemId: string;
  readonly quantity: number;
}
/** Egress `example/cart-results`: the outcome of an AddToCart. */
export interface AddToCartResult {
  readonly userId: string;
  readonly itemId: string;
  readonly quantity: number;
  readonly success: boolean;
}
/** Egress `example/orders`: a completed checkout. */
export interface Order {
  readonly userId: string;
  readonly items: Readonly<Record<string, number>>;
}
/** State of an inventory item. */
export interface Stock {
  readonly inStock: number;
  readonly reserved: number;
}

const positiveQuantity = (q: unknown): boolean => Number.isInteger(q) && (q as number) > 0;

/** Validates that a value has non-empty string fields and a positive integer quantity. */
function itemSchema<T extends { itemId: string; quantity: number }>(what: string) {
  return {
    parse(x: unknown): T {
      const v = x as Partial<T> | null;
      if (typeof v?.itemId !== 'string' || v.itemId === '' || !positiveQuantity(v.quantity)) {
        throw new Error(
          `${what} needs itemId (non-empty string) and quantity (integer > 0), got ${JSON.stringify(x)}`,
        );
      }
      return v as T;
    },
  };
}

export const AddToCartType = jsonType<AddToCart>('example/AddToCart', {
  schema: {
    parse(x: unknown): AddToCart {
      const v = x as Partial<AddToCart> | null;
      if (typeof v?.userId !== 'string' || typeof v.itemId !== 'string' || !positiveQuantity(v.quantity)) {
        throw new Error(
          `AddToCart needs userId, itemId and quantity (integer > 0), got ${JSON.stringify(x)}`,
        );
      }
      return v as AddToCart;
    },
  },
});
export const RequestItemType = jsonType<RequestItem>('example/RequestItem', {
  schema: itemSchema('RequestItem'),
});
export const ItemReservedType = jsonType<ItemAnswer>('example/ItemReserved');
export const ItemUnavailableType = jsonType<ItemAnswer>('example/ItemUnavailable');
export const RestockType = jsonType<Restock>('example/Restock', { schema: itemSchema('Restock') });
export const CheckoutType = jsonType<Checkout>('example/Checkout');
export const ShipItemType = jsonType<ShipItem>('example/ShipItem');
export const AddToCartResultType = jsonType<AddToCartResult>('example/AddToCartResult');
export const OrderType = jsonType<Order>('example/Order');
export const CartItemsType = jsonType<Record<string, number>>('example/CartItems');
export const StockType = jsonType<Stock>('example/Stock');

/** Egress ids of the example. */
export const CART_RESULTS_EGRESS = 'example/cart-results';
export const ORDERS_EGRESS = 'example/orders';
