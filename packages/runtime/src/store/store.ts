/**
 * The one interface everything durable goes through. Two implementations share its logical schema and the
 * conformance suite in `conformance.ts`: SQLite (embedded, single process) and PostgreSQL (cluster mode).
 *
 * Rules every implementation keeps:
 * - `commit` applies a whole {@link CommitBatch} in one transaction, durably (fsync) before it resolves,
 *   and applies its parts in the order documented on {@link CommitBatch}. A failed commit applies nothing.
 * - Reads see only committed data.
 * - Values are bytes; a present value may be zero-length and stays present (never read as "deleted").
 */
import type { FunctionAddress, FunctionType } from '../core/address.js';

/** A typed value as stored: the typename and the value's bytes. */
export interface StoredValue {
  readonly typename: string;
  readonly value: Uint8Array;
}

/** A message waiting in an address's inbox. */
export interface StoredMessage {
  /** Position in the inbox, unique and increasing in the order messages were enqueued by this process. */
  readonly seq: number;
  readonly keyGroup: number;
  readonly target: FunctionAddress;
  /** The sending function; absent for ingress and egress-less sources. */
  readonly caller: FunctionAddress | undefined;
  readonly argument: StoredValue;
  /** Epoch milliseconds when the message was enqueued. */
  readonly enqueuedAt: number;
  /**
   * The W3C `traceparent` of the span that produced the message (ingress, or the sender's invocation), so the
   * trace continues when the message is invoked; absent when tracing was off.
   */
  readonly traceparent?: string | undefined;
}

/** Expiration mode of a state, as in the protocol's `ExpireMode`. */
export type ExpireMode = 'NONE' | 'AFTER_WRITE' | 'AFTER_INVOKE';

/** A state a function type declared (learned from `IncompleteInvocationContext`). */
export interface FunctionSpecRecord {
  readonly functionType: FunctionType;
  readonly stateName: string;
  readonly typename: string;
  readonly expireMode: ExpireMode;
  /** TTL in milliseconds; 0 when `expireMode` is `NONE`. */
  readonly expireAfterMs: number;
}

/** One state value of an address. */
export interface StoredState {
  readonly name: string;
  readonly typename: string;
  readonly value: Uint8Array;
  /** Epoch milliseconds after which the value no longer exists; `undefined` = never. */
  readonly expiresAt: number | undefined;
}

/** The backlog of one function type in the store. */
export interface InboxStats {
  readonly functionType: string;
  /** Pending messages. */
  readonly messages: number;
  /** Epoch milliseconds at which the oldest pending message was enqueued. */
  readonly oldestEnqueuedAt: number;
}

/** Write or delete of one state value. `value === undefined` deletes. */
export interface StateWrite {
  readonly keyGroup: number;
  readonly address: FunctionAddress;
  readonly name: string;
  /** The new value, or `undefined` to delete it. */
  readonly value: StoredValue | undefined;
  readonly expiresAt: number | undefined;
}

/** A delayed message. */
export interface StoredTimer {
  /** Unique id, allocated by the engine. */
  readonly id: number;
  readonly keyGroup: number;
  /** Epoch milliseconds at which it fires. */
  readonly fireAt: number;
  /** The address that sent it; cancellation is scoped to it. */
  readonly sender: FunctionAddress;
  /** Cancellation token; `undefined` when none was given. */
  readonly token: string | undefined;
  readonly target: FunctionAddress;
  readonly argument: StoredValue;
  /** The W3C `traceparent` of the sender's invocation span; absent when tracing was off. */
  readonly traceparent?: string | undefined;
}

/** Cancellation of a pending delayed message by its sender and token. */
export interface TimerCancellation {
  readonly sender: FunctionAddress;
  readonly token: string;
}

/** A record appended to an egress. */
export interface EgressAppend {
  /** Egress id, `namespace/name`. */
  readonly egressId: string;
  /** Offset in that egress, allocated by the engine: contiguous, starting at 0. */
  readonly offset: number;
  readonly producer: FunctionAddress;
  readonly value: StoredValue;
  readonly createdAt: number;
  /** The W3C `traceparent` of the producer's invocation span; absent when tracing was off. */
  readonly traceparent?: string | undefined;
}

/** A stored egress record. */
export interface EgressRecord {
  readonly egressId: string;
  readonly offset: number;
  readonly producer: FunctionAddress;
  readonly value: StoredValue;
  readonly createdAt: number;
  /** The W3C `traceparent` of the producer's invocation span; absent when tracing was off. */
  readonly traceparent?: string | undefined;
}

/** An ingress message to enqueue, optionally guarded by an idempotency key. */
export interface IngressWrite {
  readonly message: StoredMessage;
  /** When set, a second write with the same key is not enqueued; the first message's seq is returned. */
  readonly idempotencyKey: string | undefined;
}

/** The result of one {@link IngressWrite}. */
export interface IngressResult {
  /** The seq of the enqueued message, or of the earlier message with the same idempotency key. */
  readonly seq: number;
  /** True when the idempotency key was seen before and nothing was enqueued. */
  readonly duplicate: boolean;
}

/** A batch that failed too often and was moved aside. */
export interface DeadLetter {
  readonly id: number;
  readonly address: FunctionAddress;
  readonly messages: readonly StoredMessage[];
  readonly reason: string;
  readonly createdAt: number;
}

/** Where an ingress connector resumes reading one part of its source (Kafka: a topic partition; Kinesis: a shard). */
export interface ConnectorPosition {
  /** The connector: the ingress id of module.yaml, e.g. `com.example/names`. */
  readonly connector: string;
  /** The source inside it: the Kafka topic or Kinesis stream. */
  readonly source: string;
  /** The part of the source as text: the Kafka partition number or the Kinesis shard id. */
  readonly part: string;
  /** Where reading resumes, as text: the next Kafka offset, or the last Kinesis sequence number read. */
  readonly position: string;
}

/**
 * The effects of many invocations, applied in one transaction, in this order:
 * 1. `specs` (upsert), 2. `ingress` (idempotency check, then insert), 3. `messages` (insert),
 * 4. `consumedMessages` / `firedTimers` (delete), 5. `cancellations` (delete pending timers matching sender +
 * token; they target timers committed by earlier batches), 6. `timers` (insert; a token cancelled in step 5
 * may be reused), 7. `stateWrites` (in list order; the last write of a value wins),
 * 8. `egress` (insert), 9. `deadLetters` (insert), 10. `positions` (upsert per connector, source and part;
 * the last one of a part wins), so a connector's read position commits with the messages it produced,
 * 11. `removedDeadLetters` (delete; when one of them is not there, the commit throws `ERR_STORE_DEAD_LETTER_GONE`
 * and applies nothing, so that a replay inserts its messages at most once).
 */
export interface CommitBatch {
  readonly specs: readonly FunctionSpecRecord[];
  readonly ingress: readonly IngressWrite[];
  readonly messages: readonly StoredMessage[];
  readonly consumedMessages: readonly number[];
  readonly firedTimers: readonly number[];
  readonly timers: readonly StoredTimer[];
  readonly cancellations: readonly TimerCancellation[];
  readonly stateWrites: readonly StateWrite[];
  readonly egress: readonly EgressAppend[];
  readonly deadLetters: readonly Omit<DeadLetter, 'id'>[];
  readonly positions: readonly ConnectorPosition[];
  /** Ids of dead letters to delete (replayed or discarded); each must exist. */
  readonly removedDeadLetters: readonly number[];
}

/** What a commit returns. */
export interface CommitResult {
  /** One entry per `batch.ingress` item, in order. */
  readonly ingress: readonly IngressResult[];
}

/** Metadata fixed when a store is created. */
export interface StoreMeta {
  readonly schemaVersion: number;
  readonly keyGroups: number;
  readonly hash: string;
}

/** Highest ids in use, so the engine can continue allocating after a restart. */
export interface StoreCounters {
  /** Highest message seq ever stored (including idempotency records), or 0. */
  readonly maxMessageSeq: number;
  /** Highest timer id in use, or 0. */
  readonly maxTimerId: number;
  /** Next offset of each egress id that has records. */
  readonly egressNextOffsets: ReadonlyMap<string, number>;
}

/** The retained records of an egress: offsets `[firstOffset, nextOffset)`. */
export interface EgressRange {
  /** The earliest offset still kept (records below it were deleted by retention); 0 when never trimmed. */
  readonly firstOffset: number;
  /** The offset the next record gets. */
  readonly nextOffset: number;
  /** When the record at `firstOffset` was created (epoch ms), or `undefined` when nothing is kept. */
  readonly oldestCreatedAt: number | undefined;
}

/** The space a store takes and has. */
export interface StoreSpace {
  /** Bytes the store's files (SQLite: database and WAL) or database (PostgreSQL) take. */
  readonly storeBytes: number;
  /** Free bytes of the file system the store is on, when this process can see it (SQLite). */
  readonly freeBytes: number | undefined;
}

/** The durable store of a runtime. */
export interface Store {
  /**
   * Opens the store, creating or migrating its schema. A new store records `keyGroups` and `hash`; an
   * existing one must match them, otherwise it throws `StoreError` (`ERR_STORE_META_MISMATCH`).
   */
  open(expected: { keyGroups: number; hash: string }): Promise<StoreMeta>;
  /** Closes the store; later calls fail. */
  close(): Promise<void>;

  /** Every learned state spec. */
  loadFunctionSpecs(): Promise<FunctionSpecRecord[]>;
  /** Pending inbox messages of the given key groups (all when omitted), in seq order. */
  loadMessages(keyGroups?: readonly number[]): Promise<StoredMessage[]>;
  /**
   * A page of the inbox: pending messages with a seq above `afterSeq` of the given key groups (all when
   * omitted), in seq order, at most `limit`.
   */
  loadInboxPage(afterSeq: number, limit: number, keyGroups?: readonly number[]): Promise<StoredMessage[]>;
  /** The first `limit` pending messages of one address, in seq order. */
  loadAddressInbox(address: FunctionAddress, limit: number): Promise<StoredMessage[]>;
  /** The backlog per function type: pending messages and the oldest one's age (of the given key groups, all when omitted). */
  inboxStats(keyGroups?: readonly number[]): Promise<InboxStats[]>;
  /** Pending delayed messages of the given key groups (all when omitted), by `fireAt`, then `id`. */
  loadTimers(keyGroups?: readonly number[]): Promise<StoredTimer[]>;
  /** Highest ids in use. */
  loadCounters(): Promise<StoreCounters>;

  /** The state values of one address (expired ones included: the caller filters by `expiresAt`). */
  readState(address: FunctionAddress): Promise<StoredState[]>;
  /** Applies a batch atomically and durably. */
  commit(batch: CommitBatch): Promise<CommitResult>;

  /** Egress records with `offset >= from`, in offset order, at most `limit`. */
  readEgress(egressId: string, from: number, limit: number): Promise<EgressRecord[]>;
  /** The next offset an egress shipper must deliver for `egressId` (0 when it never delivered). */
  readEgressCursor(egressId: string): Promise<number>;
  /** Records that every record of `egressId` before `nextOffset` was delivered. */
  writeEgressCursor(egressId: string, nextOffset: number): Promise<void>;
  /** Dead letters, oldest first. */
  listDeadLetters(limit: number): Promise<DeadLetter[]>;
  /** One dead letter, or `undefined` when there is none with this id. */
  readDeadLetter(id: number): Promise<DeadLetter | undefined>;
  /** The seq of the ingress message that claimed `idempotencyKey`, or `undefined` when none did (or it was pruned). */
  ingressSeqOf(idempotencyKey: string): Promise<number | undefined>;
  /** Deletes idempotency keys recorded before `olderThan` (epoch ms); returns how many. */
  pruneIdempotencyKeys(olderThan: number): Promise<number>;
  /** Deletes state values that expired before `now`; returns how many. */
  pruneExpiredState(now: number): Promise<number>;
  /** Number of pending inbox messages. */
  countMessages(): Promise<number>;
  /**
   * The committed read positions of one ingress connector, one per part of its sources, in no fixed order.
   *
   * @param connector - the connector's ingress id.
   * @returns its positions; none when it never committed one.
   */
  loadConnectorPositions(connector: string): Promise<ConnectorPosition[]>;

  /** The retained range of an egress. */
  readEgressRange(egressId: string): Promise<EgressRange>;
  /** The offset of the first kept record of `egressId` created at or after `createdAt`, or its next offset. */
  findEgressOffsetSince(egressId: string, createdAt: number): Promise<number>;
  /**
   * Deletes the oldest records of `egressId`, below `beforeOffset` (capped at its next offset), at most
   * `maxRows` in one transaction, and moves the start of its retained range there.
   *
   * @returns how many records were deleted.
   */
  trimEgress(egressId: string, beforeOffset: number, maxRows: number): Promise<number>;
  /** How much space the store takes, and how much is free. */
  measureSpace(): Promise<StoreSpace>;
  /**
   * Gives space freed by deletes back to the file system, at most about `maxBytes` (SQLite: incremental vacuum
   * and a WAL truncation; PostgreSQL does this itself with autovacuum).
   *
   * @returns bytes given back.
   */
  reclaimSpace(maxBytes: number): Promise<number>;
  /** A tiny durable write; resolves once the store can write again (after a full disk). */
  probeWrite(): Promise<void>;
}

/** An empty batch, to spread into partial batches. */
export const EMPTY_COMMIT_BATCH: CommitBatch = Object.freeze({
  specs: [],
  ingress: [],
  messages: [],
  consumedMessages: [],
  firedTimers: [],
  timers: [],
  cancellations: [],
  stateWrites: [],
  egress: [],
  deadLetters: [],
  positions: [],
  removedDeadLetters: [],
});
