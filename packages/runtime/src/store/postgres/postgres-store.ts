/** The cluster store: PostgreSQL through postgres.js, shared by many runtime processes. */
import type { FunctionAddress } from '../../core/address.js';
import { StoreError } from '../../errors.js';
import type { ClusterStore, ClusterView, Fence, LeaseRecord } from '../cluster-store.js';
import type {
  CommitBatch,
  CommitResult,
  ConnectorPosition,
  DeadLetter,
  EgressRange,
  EgressRecord,
  FunctionSpecRecord,
  InboxStats,
  StoreCounters,
  StoredMessage,
  StoredState,
  StoredTimer,
  StoreMeta,
  StoreSpace,
} from '../store.js';
import * as cluster from './cluster.js';
import { applyCommitBatch } from './commit.js';
import type { CommitMode } from './commit.js';
import { ID_COUNTERS } from './migrations.js';
import * as egressRange from './egress-range.js';
import * as maintenance from './maintenance.js';
import type { KeyGroupWake } from './notify.js';
import { validateExpected, type StoreLifecycleState } from '../common/open-checks.js';
import { STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';
import { toPostgresStoreError } from './postgres-errors.js';
import { resolvePostgresStoreOptions, validatePostgresStoreOptions } from './postgres-options.js';
import type { PostgresStoreOptions, ResolvedPostgresStoreOptions } from './postgres-options.js';
import * as reads from './reads.js';
import { setUpSchema } from './schema-setup.js';
import { createSql } from './sql.js';
import type { Sql } from './sql.js';
import { StoreSubscriptions } from './subscriptions.js';

export type { PostgresStoreOptions, ResolvedPostgresStoreOptions } from './postgres-options.js';

/** @throws {@link StoreError} `ERR_STORE_INVALID_ARGUMENT` when `value` is not a positive integer. */
function validatePositive(what: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StoreError(
      STORE_ERROR_CODES.invalidArgument,
      `${what} failed: ${name} must be a positive integer, got ${String(value)}; nothing was done. Pass a whole ` +
        'number of at least 1.',
    );
  }
}

/**
 * The PostgreSQL {@link ClusterStore}. Every commit is one transaction with `synchronous_commit` as the server
 * has it (on by default: durable when it resolves). Its statements are set-based and pipelined, so a commit
 * costs about three round trips whatever its size.
 *
 * Single-process use: {@link PostgresStore.commit}, with ids and egress offsets chosen by the engine. Cluster
 * use: {@link PostgresStore.commitFenced}, with ids from {@link PostgresStore.allocateSeqBlock} /
 * {@link PostgresStore.allocateTimerIdBlock} and egress offsets assigned by the store.
 *
 * @example
 * ```ts
 * const store = new PostgresStore({ url: 'postgres://statehouse:pw@db:5432/statehouse' });
 * await store.open({ keyGroups: 256, hash: KEY_GROUP_HASH });
 * ```
 */
export class PostgresStore implements ClusterStore {
  /** The options in effect. */
  readonly options: ResolvedPostgresStoreOptions;
  #state: StoreLifecycleState = 'created';
  #sql: Sql | undefined;
  #opening = false;
  readonly #subscriptions: StoreSubscriptions;

  /** @param options - where the database is and how to connect. */
  constructor(options: PostgresStoreOptions) {
    this.options = resolvePostgresStoreOptions(options);
    this.#subscriptions = new StoreSubscriptions(this.options);
  }

  /** Where the store is in its lifecycle. */
  get state(): StoreLifecycleState {
    return this.#state;
  }

  /**
   * Connects, creates or migrates the schema (serialized across processes by an advisory lock), and records or
   * checks the key groups and hash.
   *
   * @throws {@link StoreError} `ERR_STORE_CONNECT_FAILED` when the server cannot be reached or refuses the login,
   * `ERR_STORE_META_MISMATCH`, `ERR_STORE_SCHEMA_TOO_NEW`, `ERR_STORE_ALREADY_OPEN`, `ERR_STORE_CLOSED`.
   */
  async open(expected: { keyGroups: number; hash: string }): Promise<StoreMeta> {
    if (this.#state !== 'created' || this.#opening) {
      const isOpen = this.#state === 'open' || this.#opening;
      throw new StoreError(
        isOpen ? STORE_ERROR_CODES.alreadyOpen : STORE_ERROR_CODES.closed,
        `The PostgreSQL store at ${this.options.redactedUrl} is ${isOpen ? 'open' : 'closed'}; create a new PostgresStore to open it again.`,
      );
    }
    validatePostgresStoreOptions(this.options);
    validateExpected(expected);
    this.#opening = true;
    const sql = createSql(this.options);
    try {
      const meta = await setUpSchema(sql, this.options, expected);
      this.#sql = sql;
      this.#state = 'open';
      return meta;
    } finally {
      this.#opening = false;
    }
  }

  /** Unsubscribes every listener and closes the connections, letting running statements finish (up to 5 s). */
  async close(): Promise<void> {
    const sql = this.#sql;
    this.#sql = undefined;
    this.#state = 'closed';
    if (sql === undefined) return;
    await this.#subscriptions.close();
    await sql.end({ timeout: 5 });
    this.options.logger?.info({ url: this.options.redactedUrl }, 'store closed');
  }

  /** @inheritDoc */
  loadFunctionSpecs(): Promise<FunctionSpecRecord[]> {
    return this.#read('Loading function specs', reads.loadFunctionSpecs);
  }

  /** @inheritDoc */
  loadMessages(keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#read('Loading messages', (sql) => reads.loadMessages(sql, keyGroups));
  }

  /** @inheritDoc */
  loadInboxPage(afterSeq: number, limit: number, keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#read('Loading an inbox page', (sql) => reads.loadInboxPage(sql, afterSeq, limit, keyGroups));
  }

  /** @inheritDoc */
  loadAddressInbox(address: FunctionAddress, limit: number): Promise<StoredMessage[]> {
    return this.#read("Loading an address's inbox", (sql) => reads.loadAddressInbox(sql, address, limit));
  }

  /** @inheritDoc */
  inboxStats(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    return this.#read('Counting the inbox', (sql) => reads.inboxStats(sql, keyGroups));
  }

  /** @inheritDoc */
  ingressSeqOf(idempotencyKey: string): Promise<number | undefined> {
    return this.#read('Looking up an idempotency key', (sql) => reads.ingressSeqOf(sql, idempotencyKey));
  }

  /** @inheritDoc */
  loadMessagesBySeq(seqs: readonly number[]): Promise<StoredMessage[]> {
    return this.#read('Loading messages by seq', (sql) => reads.loadMessagesBySeq(sql, seqs));
  }

  /** @inheritDoc */
  loadTimers(keyGroups?: readonly number[]): Promise<StoredTimer[]> {
    return this.#read('Loading timers', (sql) => reads.loadTimers(sql, keyGroups));
  }

  /** @inheritDoc */
  loadCounters(): Promise<StoreCounters> {
    return this.#read('Loading counters', reads.loadCounters);
  }

  /** @inheritDoc */
  readState(address: FunctionAddress): Promise<StoredState[]> {
    return this.#read('Reading state', (sql) => reads.readState(sql, address));
  }

  /**
   * Applies a batch atomically and durably, with the ids and egress offsets the engine chose (single-process
   * use). Raises the id counters to the batch's highest message seq and timer id.
   */
  commit(batch: CommitBatch): Promise<CommitResult> {
    return this.#commit(batch, { fence: undefined });
  }

  /** @inheritDoc */
  commitFenced(batch: CommitBatch, fence: Fence): Promise<CommitResult> {
    return this.#commit(batch, { fence });
  }

  #commit(batch: CommitBatch, mode: CommitMode): Promise<CommitResult> {
    const where = this.options.redactedUrl;
    return this.#run(STORE_ERROR_CODES.commitFailed, 'Committing a batch', async (sql) => ({
      ingress: await sql.begin((tx) => applyCommitBatch(tx, batch, mode, where)),
    }));
  }

  /** @inheritDoc */
  readEgress(egressId: string, from: number, limit: number): Promise<EgressRecord[]> {
    return this.#read('Reading egress', (sql) => reads.readEgress(sql, egressId, from, limit));
  }

  /** @inheritDoc */
  readEgressCursor(egressId: string): Promise<number> {
    return this.#read('Reading an egress cursor', (sql) => maintenance.readEgressCursor(sql, egressId));
  }

  /** @inheritDoc */
  writeEgressCursor(egressId: string, nextOffset: number): Promise<void> {
    return this.#write('Writing an egress cursor', (sql) =>
      maintenance.writeEgressCursor(sql, egressId, nextOffset),
    );
  }

  /** @inheritDoc */
  listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#read('Listing dead letters', (sql) => reads.listDeadLetters(sql, limit));
  }

  /** @inheritDoc */
  readDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.#read('Reading a dead letter', (sql) => reads.readDeadLetter(sql, id));
  }

  /** @inheritDoc */
  pruneIdempotencyKeys(olderThan: number): Promise<number> {
    return this.#write('Pruning idempotency keys', (sql) => reads.pruneIdempotencyKeys(sql, olderThan));
  }

  /** @inheritDoc */
  pruneExpiredState(now: number): Promise<number> {
    return this.#write('Pruning expired state', (sql) => reads.pruneExpiredState(sql, now));
  }

  /** @inheritDoc */
  countMessages(): Promise<number> {
    return this.#read('Counting messages', reads.countMessages);
  }

  /** @inheritDoc */
  loadConnectorPositions(connector: string): Promise<ConnectorPosition[]> {
    return this.#read('Loading connector positions', (sql) => reads.loadConnectorPositions(sql, connector));
  }

  /** @inheritDoc */
  heartbeat(
    member: { nodeId: string; incarnation: string; advertise: string },
    leaseMs: number,
  ): Promise<ClusterView> {
    return this.#leaseWrite('Recording a heartbeat', (sql) => {
      validatePositive('Recording a heartbeat', 'leaseMs', leaseMs);
      return cluster.heartbeat(sql, member, leaseMs);
    });
  }

  /** @inheritDoc */
  acquireLeases(incarnation: string, keyGroups: readonly number[], leaseMs: number): Promise<LeaseRecord[]> {
    return this.#leaseWrite('Acquiring leases', (sql) => {
      validatePositive('Acquiring leases', 'leaseMs', leaseMs);
      return cluster.acquireLeases(sql, incarnation, keyGroups, leaseMs);
    });
  }

  /** @inheritDoc */
  releaseLeases(incarnation: string, keyGroups: readonly number[]): Promise<void> {
    return this.#leaseWrite('Releasing leases', (sql) => cluster.releaseLeases(sql, incarnation, keyGroups));
  }

  /** @inheritDoc */
  leave(incarnation: string): Promise<void> {
    return this.#leaseWrite('Leaving the cluster', (sql) => cluster.leave(sql, incarnation));
  }

  /** @inheritDoc */
  allocateSeqBlock(size: number): Promise<{ first: number; last: number }> {
    return this.#write('Reserving message seqs', (sql) => {
      validatePositive('Reserving message seqs', 'size', size);
      return cluster.allocateIdBlock(sql, ID_COUNTERS.messageSeq, size);
    });
  }

  /** @inheritDoc */
  allocateTimerIdBlock(size: number): Promise<{ first: number; last: number }> {
    return this.#write('Reserving timer ids', (sql) => {
      validatePositive('Reserving timer ids', 'size', size);
      return cluster.allocateIdBlock(sql, ID_COUNTERS.timerId, size);
    });
  }

  /** @inheritDoc */
  listen(
    onKeyGroups: (wake: KeyGroupWake) => void,
    onResubscribed?: () => void,
  ): Promise<() => Promise<void>> {
    return this.#read('Listening for key-group wake-ups', () =>
      this.#subscriptions.listenKeyGroups(onKeyGroups, onResubscribed),
    );
  }

  /** @inheritDoc */
  listenEgress(onEgress: (egressIds: readonly string[]) => void): Promise<() => Promise<void>> {
    return this.#read('Listening for egress announcements', () => this.#subscriptions.listenEgress(onEgress));
  }

  /** @inheritDoc */
  readEgressRange(egressId: string): Promise<EgressRange> {
    return this.#read('Reading an egress range', (sql) => egressRange.readEgressRange(sql, egressId));
  }

  /** @inheritDoc */
  findEgressOffsetSince(egressId: string, createdAt: number): Promise<number> {
    return this.#read('Finding an egress offset', (sql) =>
      egressRange.findEgressOffsetSince(sql, egressId, createdAt),
    );
  }

  /** @inheritDoc */
  trimEgress(egressId: string, beforeOffset: number, maxRows: number): Promise<number> {
    return this.#write('Trimming an egress', (sql) =>
      egressRange.trimEgress(sql, egressId, beforeOffset, maxRows),
    );
  }

  /** @inheritDoc */
  measureSpace(): Promise<StoreSpace> {
    return this.#read('Measuring space', maintenance.measureSpace);
  }

  /** @inheritDoc */
  reclaimSpace(): Promise<number> {
    // Autovacuum makes the space of deleted rows reusable; nothing to do per process.
    return Promise.resolve(0);
  }

  /** @inheritDoc */
  probeWrite(): Promise<void> {
    return this.#write('Probing a write', maintenance.probeWrite);
  }

  /** Runs a read: a failure is `ERR_STORE_READ_FAILED` unless the driver's error says more. */
  #read<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#run(STORE_ERROR_CODES.readFailed, what, fn);
  }

  /** Runs a write: a failure is `ERR_STORE_WRITE_FAILED` unless the driver's error says more. */
  #write<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#run(STORE_ERROR_CODES.writeFailed, what, fn);
  }

  /**
   * A lease statement. One that waited in vain for a row lock ends the sessions of frozen peers that hold locks
   * inside a transaction (see `endStalledSessions`), so that the next round can take their key groups.
   */
  #leaseWrite<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#write(what, (sql) =>
      fn(sql).catch(async (err: unknown) => {
        if (cluster.isLockTimeout(err)) await cluster.endStalledSessions(sql, this.options.logger);
        throw err;
      }),
    );
  }

  /** Runs `fn` on the open client; every failure becomes a rejected promise with a {@link StoreError}. */
  async #run<T>(code: StoreErrorCode, what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const sql = this.#sql;
    if (sql === undefined) {
      const isClosed = this.#state === 'closed';
      throw new StoreError(
        isClosed ? STORE_ERROR_CODES.closed : STORE_ERROR_CODES.notOpen,
        `${what} failed: the PostgreSQL store at ${this.options.redactedUrl} is ` +
          `${isClosed ? 'closed' : 'not open yet; call open() first'}.`,
      );
    }
    try {
      return await fn(sql);
    } catch (err) {
      throw toPostgresStoreError(err, code, what, this.options.url);
    }
  }
}

/**
 * Creates and opens a {@link PostgresStore}.
 *
 * @param url - the connection URL; the database must exist.
 * @param expected - the deployment's key groups and hash.
 * @param options - further options.
 * @returns the open store.
 * @throws {@link StoreError} when the store cannot be opened or belongs to another deployment.
 */
export async function openPostgresStore(
  url: string,
  expected: { keyGroups: number; hash: string },
  options: Omit<PostgresStoreOptions, 'url'> = {},
): Promise<PostgresStore> {
  const store = new PostgresStore({ ...options, url });
  await store.open(expected);
  return store;
}
