/** The cluster store: PostgreSQL through postgres.js, shared by many runtime processes. */
import type { Logger } from 'pino';

import type { FunctionAddress } from '../../core/address.js';
import { StoreError } from '../../errors.js';
import type { ClusterStore, ClusterView, Fence, LeaseRecord } from '../cluster-store.js';
import type {
  CommitBatch,
  CommitResult,
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
import { checkMeta, ID_COUNTERS, migrateSchema, PG_SCHEMA_VERSION } from './migrations.js';
import * as egressRange from './egress-range.js';
import { NotificationListener } from './notification-listener.js';
import { listenEgress, listenKeyGroups, type KeyGroupWake } from './notify.js';
import { validateExpected, type StoreLifecycleState } from '../common/open-checks.js';
import { STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';
import { redactUrl, toPostgresStoreError } from './postgres-errors.js';
import * as reads from './reads.js';
import { createSql } from './sql.js';
import type { Sql } from './sql.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL, `postgres://user:password@host:5432/database`. The database must exist. */
  readonly url: string;
  /** Connections in the pool (LISTEN uses one more). @default 8 */
  readonly max?: number;
  /** How long to wait for a connection to the server, in ms. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Where lifecycle events (open, migrate, close) are logged. @default no logging */
  readonly logger?: Logger;
}

/** {@link PostgresStoreOptions} with every default applied. */
export interface ResolvedPostgresStoreOptions {
  readonly url: string;
  /** The URL without its password, for messages and logs. */
  readonly redactedUrl: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger | undefined;
}

function resolveOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  return {
    url: options.url,
    redactedUrl: redactUrl(options.url),
    max: options.max ?? 8,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    logger: options.logger?.child({ component: 'store.postgres' }),
  };
}

function validateOptions(options: ResolvedPostgresStoreOptions): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new StoreError(
      STORE_ERROR_CODES.connectFailed,
      `The store URL ${options.redactedUrl} is not a PostgreSQL URL. Use postgres://user:password@host:5432/database.`,
    );
  }
  if (!Number.isSafeInteger(options.max) || options.max < 1) {
    throw new StoreError(
      STORE_ERROR_CODES.openFailed,
      `The pool size (max) must be a positive integer, got ${String(options.max)}. The default is 8.`,
    );
  }
}

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
  readonly #unlisteners = new Set<() => Promise<void>>();
  #listener: NotificationListener | undefined;

  /** @param options - where the database is and how to connect. */
  constructor(options: PostgresStoreOptions) {
    this.options = resolveOptions(options);
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
    const { redactedUrl, logger } = this.options;
    if (this.#state !== 'created' || this.#opening) {
      const isOpen = this.#state === 'open' || this.#opening;
      throw new StoreError(
        isOpen ? STORE_ERROR_CODES.alreadyOpen : STORE_ERROR_CODES.closed,
        `The PostgreSQL store at ${redactedUrl} is ${isOpen ? 'open' : 'closed'}; create a new PostgresStore to open it again.`,
      );
    }
    validateOptions(this.options);
    validateExpected(expected);
    this.#opening = true;
    const sql = createSql(this.options);
    try {
      const migration = await sql.begin(async (tx) => {
        const result = await migrateSchema(tx, redactedUrl);
        await checkMeta(tx, redactedUrl, expected);
        return result;
      });
      this.#sql = sql;
      this.#state = 'open';
      logger?.info(
        {
          url: redactedUrl,
          schemaVersion: migration.to,
          migratedFrom: migration.from,
          keyGroups: expected.keyGroups,
        },
        migration.from === migration.to ? 'store opened' : 'store opened and migrated',
      );
      return { schemaVersion: PG_SCHEMA_VERSION, keyGroups: expected.keyGroups, hash: expected.hash };
    } catch (err) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw toPostgresStoreError(
        err,
        STORE_ERROR_CODES.openFailed,
        'Opening the PostgreSQL store',
        this.options.url,
      );
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
    const unlisteners = [...this.#unlisteners];
    this.#unlisteners.clear();
    await Promise.allSettled(unlisteners.map((unlisten) => unlisten()));
    await this.#listener?.close();
    this.#listener = undefined;
    await sql.end({ timeout: 5 });
    this.options.logger?.info({ url: this.options.redactedUrl }, 'store closed');
  }

  /** @inheritDoc */
  loadFunctionSpecs(): Promise<FunctionSpecRecord[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading function specs', reads.loadFunctionSpecs);
  }

  /** @inheritDoc */
  loadMessages(keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading messages', (sql) =>
      reads.loadMessages(sql, keyGroups),
    );
  }

  /** @inheritDoc */
  loadInboxPage(afterSeq: number, limit: number, keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading an inbox page', (sql) =>
      reads.loadInboxPage(sql, afterSeq, limit, keyGroups),
    );
  }

  /** @inheritDoc */
  loadAddressInbox(address: FunctionAddress, limit: number): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, "Loading an address's inbox", (sql) =>
      reads.loadAddressInbox(sql, address, limit),
    );
  }

  /** @inheritDoc */
  inboxStats(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Counting the inbox', (sql) =>
      reads.inboxStats(sql, keyGroups),
    );
  }

  /** @inheritDoc */
  ingressSeqOf(idempotencyKey: string): Promise<number | undefined> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Looking up an idempotency key', (sql) =>
      reads.ingressSeqOf(sql, idempotencyKey),
    );
  }

  /** @inheritDoc */
  loadMessagesBySeq(seqs: readonly number[]): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading messages by seq', (sql) =>
      reads.loadMessagesBySeq(sql, seqs),
    );
  }

  /** @inheritDoc */
  loadTimers(keyGroups?: readonly number[]): Promise<StoredTimer[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading timers', (sql) =>
      reads.loadTimers(sql, keyGroups),
    );
  }

  /** @inheritDoc */
  loadCounters(): Promise<StoreCounters> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading counters', reads.loadCounters);
  }

  /** @inheritDoc */
  readState(address: FunctionAddress): Promise<StoredState[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading state', (sql) => reads.readState(sql, address));
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
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading egress', (sql) =>
      reads.readEgress(sql, egressId, from, limit),
    );
  }

  /** @inheritDoc */
  readEgressCursor(egressId: string): Promise<number> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading an egress cursor', async (sql) => {
      const rows = await sql<
        { next_offset: number }[]
      >`SELECT next_offset FROM egress_cursors WHERE egress_id = ${egressId}`;
      return rows[0]?.next_offset ?? 0;
    });
  }

  /** @inheritDoc */
  writeEgressCursor(egressId: string, nextOffset: number): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Writing an egress cursor', async (sql) => {
      await sql`INSERT INTO egress_cursors (egress_id, next_offset) VALUES (${egressId}, ${nextOffset})
        ON CONFLICT (egress_id) DO UPDATE SET next_offset = excluded.next_offset`;
    });
  }

  /** @inheritDoc */
  listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Listing dead letters', (sql) =>
      reads.listDeadLetters(sql, limit),
    );
  }

  /** @inheritDoc */
  pruneIdempotencyKeys(olderThan: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Pruning idempotency keys', (sql) =>
      reads.pruneIdempotencyKeys(sql, olderThan),
    );
  }

  /** @inheritDoc */
  pruneExpiredState(now: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Pruning expired state', (sql) =>
      reads.pruneExpiredState(sql, now),
    );
  }

  /** @inheritDoc */
  countMessages(): Promise<number> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Counting messages', reads.countMessages);
  }

  /** @inheritDoc */
  heartbeat(
    member: { nodeId: string; incarnation: string; advertise: string },
    leaseMs: number,
  ): Promise<ClusterView> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Recording a heartbeat', (sql) => {
      validatePositive('Recording a heartbeat', 'leaseMs', leaseMs);
      return cluster.heartbeat(sql, member, leaseMs);
    });
  }

  /** @inheritDoc */
  acquireLeases(incarnation: string, keyGroups: readonly number[], leaseMs: number): Promise<LeaseRecord[]> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Acquiring leases', (sql) => {
      validatePositive('Acquiring leases', 'leaseMs', leaseMs);
      return cluster.acquireLeases(sql, incarnation, keyGroups, leaseMs);
    });
  }

  /** @inheritDoc */
  releaseLeases(incarnation: string, keyGroups: readonly number[]): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Releasing leases', (sql) =>
      cluster.releaseLeases(sql, incarnation, keyGroups),
    );
  }

  /** @inheritDoc */
  leave(incarnation: string): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Leaving the cluster', (sql) =>
      cluster.leave(sql, incarnation),
    );
  }

  /** @inheritDoc */
  allocateSeqBlock(size: number): Promise<{ first: number; last: number }> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Reserving message seqs', (sql) => {
      validatePositive('Reserving message seqs', 'size', size);
      return cluster.allocateIdBlock(sql, ID_COUNTERS.messageSeq, size);
    });
  }

  /** @inheritDoc */
  allocateTimerIdBlock(size: number): Promise<{ first: number; last: number }> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Reserving timer ids', (sql) => {
      validatePositive('Reserving timer ids', 'size', size);
      return cluster.allocateIdBlock(sql, ID_COUNTERS.timerId, size);
    });
  }

  /** @inheritDoc */
  listen(
    onKeyGroups: (wake: KeyGroupWake) => void,
    onResubscribed?: () => void,
  ): Promise<() => Promise<void>> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Listening for key-group wake-ups', async () => {
      const unlisten = await listenKeyGroups(
        this.#notificationListener(),
        onKeyGroups,
        this.options.logger,
        onResubscribed,
      );
      const remove = async (): Promise<void> => {
        this.#unlisteners.delete(remove);
        await unlisten();
      };
      this.#unlisteners.add(remove);
      return remove;
    });
  }

  /** @inheritDoc */
  listenEgress(onEgress: (egressIds: readonly string[]) => void): Promise<() => Promise<void>> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Listening for egress announcements', async () => {
      const unlisten = await listenEgress(this.#notificationListener(), onEgress, this.options.logger);
      const remove = async (): Promise<void> => {
        this.#unlisteners.delete(remove);
        await unlisten();
      };
      this.#unlisteners.add(remove);
      return remove;
    });
  }

  /** @inheritDoc */
  readEgressRange(egressId: string): Promise<EgressRange> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading an egress range', (sql) =>
      egressRange.readEgressRange(sql, egressId),
    );
  }

  /** @inheritDoc */
  findEgressOffsetSince(egressId: string, createdAt: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Finding an egress offset', (sql) =>
      egressRange.findEgressOffsetSince(sql, egressId, createdAt),
    );
  }

  /** @inheritDoc */
  trimEgress(egressId: string, beforeOffset: number, maxRows: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Trimming an egress', (sql) =>
      egressRange.trimEgress(sql, egressId, beforeOffset, maxRows),
    );
  }

  /** @inheritDoc */
  measureSpace(): Promise<StoreSpace> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Measuring space', async (sql) => ({
      storeBytes: await egressRange.databaseBytes(sql),
      // The server's disk is not visible from here; watch it on the database host.
      freeBytes: undefined,
    }));
  }

  /** @inheritDoc */
  reclaimSpace(): Promise<number> {
    // Autovacuum makes the space of deleted rows reusable; nothing to do per process.
    return Promise.resolve(0);
  }

  /** @inheritDoc */
  probeWrite(): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Probing a write', async (sql) => {
      await sql`INSERT INTO meta (key, value) VALUES ('write_probe', ${String(Date.now())})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    });
  }

  /** The LISTEN connection, opened on first use. */
  #notificationListener(): NotificationListener {
    this.#listener ??= new NotificationListener({
      url: this.options.url,
      connectTimeoutMs: this.options.connectTimeoutMs,
      logger: this.options.logger,
    });
    return this.#listener;
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
