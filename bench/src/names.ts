/** Typenames, function types and egress ids shared by the load generator and the function services. */

/** The counter function: state `count` (int), one egress record per message. */
export const COUNTER_TYPE = 'bench/counter';
/** Typename of the counter's input message (JSON {@link Increment}). */
export const INCREMENT_TYPENAME = 'bench/Increment';
/** The log egress the counter writes to. */
export const COUNTER_EGRESS = 'bench/counter-out';
/** Typename of the counter's egress record (JSON {@link CounterEvent}). */
export const COUNTER_EVENT_TYPENAME = 'bench/CounterEvent';
/** The Kafka workload's counter: the same state and record as {@link COUNTER_TYPE}, to a Kafka egress. */
export const KAFKA_COUNTER_TYPE = 'bench/kafka-counter';
/** The Kafka egress it writes to (an `io.statefun.kafka.v1/egress`). */
export const KAFKA_EGRESS = 'bench/kafka-out';
/** The topic the Kafka workload produces its {@link Increment}s to (the key is the counter's id). */
export const KAFKA_IN_TOPIC = 'bench-in';
/** The topic the Kafka counter's {@link CounterEvent}s go to (key: the counter's id). */
export const KAFKA_OUT_TOPIC = 'bench-out';
/** The Kinesis workload's counter: the same state and record as {@link COUNTER_TYPE}, to a Kinesis egress. */
export const KINESIS_COUNTER_TYPE = 'bench/kinesis-counter';
/** The Kinesis egress it writes to (an `io.statefun.kinesis.v1/egress`). */
export const KINESIS_EGRESS = 'bench/kinesis-out';
/** The stream the Kinesis workload puts its {@link Increment}s to (the partition key is the counter's id). */
export const KINESIS_IN_STREAM = 'bench-in';
/** The stream the Kinesis counter's {@link CounterEvent}s go to (partition key: the counter's id). */
export const KINESIS_OUT_STREAM = 'bench-out';
/** A function type bound to an endpoint where nothing listens, so its messages stay pending (recovery). */
export const PARKED_TYPE = 'bench/parked';
/** The isolation workload's second function type, served by a service that answers 500 until it recovers. */
export const BACKLOG_TYPE = 'bench/backlog';
/** Typename of its input message (JSON {@link BacklogMessage}). */
export const BACKLOG_MESSAGE_TYPENAME = 'bench/BacklogMessage';
/** The log egress it writes to, one record per message it commits. */
export const BACKLOG_EGRESS = 'bench/backlog-out';
/** Typename of its egress record (JSON {@link BacklogEvent}). */
export const BACKLOG_EVENT_TYPENAME = 'bench/BacklogEvent';

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

/** A message of the backlog type: its sequence number at its address (from 0) and across the run. */
export interface BacklogMessage {
  readonly seq: number;
  readonly index: number;
}

/**
 * The backlog type's egress record: the message's fields plus `prev`, the `seq` its address's committed state
 * held before this message (-1 for none), so that a gap or a repeat shows in what the function saw committed.
 */
export interface BacklogEvent {
  readonly id: string;
  readonly seq: number;
  readonly index: number;
  readonly prev: number;
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
