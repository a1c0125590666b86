/** Typenames, function types and egress ids shared by the load generator and the function services. */

/** The counter function: state `count` (int), one egress record per message. */
export const COUNTER_TYPE = 'bench/counter';
/** Typename of the counter's input message (JSON {@link Increment}). */
export const INCREMENT_TYPENAME = 'bench/Increment';
/** The log egress the counter writes to. */
export const COUNTER_EGRESS = 'bench/counter-out';
/** Typename of the counter's egress record (JSON {@link CounterEvent}). */
export const COUNTER_EVENT_TYPENAME = 'bench/CounterEvent';
/** A function type bound to an endpoint where nothing listens, so its messages stay pending (recovery). */
export const PARKED_TYPE = 'bench/parked';

/** The counter's input: a sequence number and when the load generator sent it (bench clock, ms). */
export interface Increment {
  readonly seq: number;
  readonly sentAt: number;
}

/** The counter's egress record: the message's fields plus the new count. */
export interface CounterEvent {
  readonly id: string;
  readonly count: number;
  readonly seq: number;
  readonly sentAt: number;
}

/** The shopping cart's function types and typenames (same for both SDKs). */
export const CART = {
  cartType: 'example/cart',
  inventoryType: 'example/inventory',
  addToCart: 'example/AddToCart',
  restock: 'example/Restock',
  requestItem: 'example/RequestItem',
  itemReserved: 'example/ItemReserved',
  egress: 'example/cart-results',
  ordersEgress: 'example/orders',
  itemsTypename: 'example/CartItems',
  stockTypename: 'example/Stock',
} as const;
