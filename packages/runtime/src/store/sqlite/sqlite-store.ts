/** The embedded store: one SQLite file in a data directory, WAL, fsync on every commit. */
import { DEFAULT_KEY_GROUPS, KEY_GROUP_HASH } from '../../core/address.js';
import type { FunctionAddress } from '../../core/address.js';
import { StoreError } from '../../errors.js';
import type {
  CommitBatch,
  CommitResult,
  ConnectorPosition,
  DeadLetter,
  EgressRange,
  EgressRecord,
  FunctionSpecRecord,
  InboxStats,
  Store,
  StoreCounters,
  StoredMessage,
  StoredState,
  StoredTimer,
  StoreMeta,
  StoreSpace,
} from '../store.js';
import type { CommitMarks } from './commit.js';
import { openConnection, type OpenConnection, type OpenedConnection } from './connection.js';
import { readEgressCursor, writeEgressCursor } from './egress-cursors.js';
import { SQLITE_SCHEMA_VERSION } from './migrations.js';
import { loadCounters, loadMessages, loadTimers } from './reads.js';
import { deadLetterFromRow, egressFromRow, specFromRow, stateFromRow } from '../common/rows.js';
import { measureSpace, reclaimSpace } from './space.js';
import { resolveSqliteStoreOptions } from './sqlite-options.js';
import type { ResolvedSqliteStoreOptions, SqliteStoreOptions } from './sqlite-options.js';
import { validateExpected, type StoreLifecycleState } from '../common/open-checks.js';
import { STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';
import { asDiskFull, toSqliteStoreError } from './sqlite-errors.js';
import { InboxCounter } from './inbox-counter.js';

export { SQLITE_STORE_FILE_NAME } from './sqlite-options.js';
export type { ResolvedSqliteStoreOptions, SqliteStoreOptions } from './sqlite-options.js';

/** Connection settings the SQLite-specific tests check. */
export type SqlitePragma = 'journal_mode' | 'synchronous' | 'busy_timeout';

/**
 * The embedded {@link Store}: a SQLite database in WAL mode with `synchronous = FULL`, so every commit is
 * fsynced before it resolves. One process per data directory.
 *
 * better-sqlite3 is synchronous: each method does its work before returning its promise, so calls never
 * interleave and a commit blocks the event loop for its duration (including the fsync).
 *
 * @example
 * ```ts
 * const store = new SqliteStore({ path: './.statehouse' });
 * await store.open({ keyGroups: 256, hash: KEY_GROUP_HASH });
 * ```
 */
export class SqliteStore implements Store {
  /** The options in effect. */
  readonly options: ResolvedSqliteStoreOptions;
  #state: StoreLifecycleState = 'created';
  #connection: OpenConnection | undefined;
  #marks: CommitMarks = { maxMessageSeq: 0, maxTimerId: 0, recordedMessageSeq: 0 };
  #unlock: (() => void) | undefined;
  #counter: InboxCounter | undefined;

  /** @param options - where the data lives and how to log. */
  constructor(options: SqliteStoreOptions) {
    this.options = resolveSqliteStoreOptions(options);
  }

  /** Where the store is in its lifecycle. */
  get state(): StoreLifecycleState {
    return this.#state;
  }

  /** @inheritDoc */
  open(expected: { keyGroups: number; hash: string }): Promise<StoreMeta> {
    try {
      return Promise.resolve(this.#open(expected));
    } catch (err) {
      return Promise.reject(
        this.#toStoreError(
          err,
          STORE_ERROR_CODES.openFailed,
          `Opening the SQLite store at ${this.options.file}`,
        ),
      );
    }
  }

  #open(expected: { keyGroups: number; hash: string }): StoreMeta {
    if (this.#state !== 'created') {
      throw new StoreError(
        this.#state === 'open' ? STORE_ERROR_CODES.alreadyOpen : STORE_ERROR_CODES.closed,
        `The SQLite store at ${this.options.file} is ${this.#state}; create a new SqliteStore to open it again.`,
      );
    }
    validateExpected(expected);
    const { file, logger } = this.options;
    let opened: OpenedConnection;
    try {
      opened = openConnection(this.options, expected, () => this.#marks);
    } catch (err) {
      throw this.#toStoreError(err, STORE_ERROR_CODES.openFailed, `Opening the SQLite store at ${file}`);
    }
    const { connection, marks, migration, unlock } = opened;
    this.#unlock = unlock;
    this.#marks = marks;
    this.#connection = connection;
    this.#counter = new InboxCounter(
      {
        countHere: (keyGroups) => this.#countInboxHere(keyGroups),
        isOpen: () => this.#connection !== undefined,
        logger,
      },
      {
        file,
        busyTimeoutMs: this.options.busyTimeoutMs,
        countOnThreadAfterMs: this.options.countOnThreadAfterMs,
      },
    );
    this.#state = 'open';
    logger?.info(
      { file, schemaVersion: migration.to, migratedFrom: migration.from, keyGroups: expected.keyGroups },
      migration.from === migration.to ? 'store opened' : 'store opened and migrated',
    );
    return { schemaVersion: SQLITE_SCHEMA_VERSION, keyGroups: expected.keyGroups, hash: expected.hash };
  }

  /** @inheritDoc */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#state = 'closed';
    await this.#counter?.close();
    this.#counter = undefined;
    if (connection !== undefined) {
      connection.db.close();
      this.options.logger?.info({ file: this.options.file }, 'store closed');
    }
    this.#unlock?.();
    this.#unlock = undefined;
  }

  /**
   * Reads a connection setting (for tests and diagnostics).
   *
   * @param name - the pragma.
   * @returns its value, e.g. `'wal'` for `journal_mode`, `2` (FULL) for `synchronous`.
   */
  readPragma(name: SqlitePragma): Promise<unknown> {
    return this.#run(STORE_ERROR_CODES.readFailed, `reading pragma ${name}`, ({ db }) =>
      db.pragma(name, { simple: true }),
    );
  }

  /** @inheritDoc */
  loadFunctionSpecs(): Promise<FunctionSpecRecord[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading function specs', ({ statements }) =>
      statements.selectSpecs.all().map(specFromRow),
    );
  }

  /** @inheritDoc */
  loadMessages(keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading messages', ({ statements }) =>
      loadMessages(statements, keyGroups),
    );
  }

  /** @inheritDoc */
  loadInboxPage(afterSeq: number, limit: number, keyGroups?: readonly number[]): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading an inbox page', ({ inbox }) =>
      inbox.page(afterSeq, limit, keyGroups),
    );
  }

  /** @inheritDoc */
  loadAddressInbox(address: FunctionAddress, limit: number): Promise<StoredMessage[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, "Loading an address's inbox", ({ inbox }) =>
      inbox.ofAddress(address, limit),
    );
  }

  /** @inheritDoc */
  inboxStats(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    // Off the event loop once counting got slow (see inbox-counter.ts).
    return this.#counter?.stats(keyGroups) ?? this.#countInboxHere(keyGroups);
  }

  #countInboxHere(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Counting the inbox', ({ inbox }) =>
      inbox.stats(keyGroups),
    );
  }

  /** @inheritDoc */
  loadTimers(keyGroups?: readonly number[]): Promise<StoredTimer[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading timers', ({ statements }) =>
      loadTimers(statements, keyGroups),
    );
  }

  /** @inheritDoc */
  loadCounters(): Promise<StoreCounters> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading counters', ({ statements, egress }) =>
      loadCounters(statements, egress, this.#marks),
    );
  }

  /** @inheritDoc */
  readState(address: FunctionAddress): Promise<StoredState[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading state', ({ statements }) =>
      statements.selectState.all(address.type, address.id).map(stateFromRow),
    );
  }

  /** @inheritDoc */
  commit(batch: CommitBatch): Promise<CommitResult> {
    return this.#run(STORE_ERROR_CODES.commitFailed, 'Committing a batch', ({ commit }) => {
      const applied = commit(batch);
      // Only after the transaction committed: a rolled-back batch must not move the marks.
      this.#marks = applied.marks;
      return { ingress: applied.ingress };
    });
  }

  /** @inheritDoc */
  readEgress(egressId: string, from: number, limit: number): Promise<EgressRecord[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading egress', ({ statements }) =>
      statements.selectEgress.all(egressId, from, limit).map(egressFromRow),
    );
  }

  /** @inheritDoc */
  readEgressCursor(egressId: string): Promise<number> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading an egress cursor', ({ db }) =>
      readEgressCursor(db, egressId),
    );
  }

  /** @inheritDoc */
  writeEgressCursor(egressId: string, nextOffset: number): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Writing an egress cursor', ({ db }) =>
      writeEgressCursor(db, egressId, nextOffset),
    );
  }

  /** @inheritDoc */
  listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Listing dead letters', ({ statements }) =>
      statements.selectDeadLetters.all(limit).map(deadLetterFromRow),
    );
  }

  /** @inheritDoc */
  readDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading a dead letter', ({ statements }) => {
      const row = statements.selectDeadLetter.get(id);
      return row === undefined ? undefined : deadLetterFromRow(row);
    });
  }

  /** @inheritDoc */
  ingressSeqOf(idempotencyKey: string): Promise<number | undefined> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Looking up an idempotency key', ({ statements }) =>
      statements.selectIngressKeySeq.get(idempotencyKey),
    );
  }

  /** @inheritDoc */
  pruneIdempotencyKeys(olderThan: number): Promise<number> {
    return this.#run(
      STORE_ERROR_CODES.writeFailed,
      'Pruning idempotency keys',
      ({ statements }) => statements.pruneIngressKeys.run(olderThan).changes,
    );
  }

  /** @inheritDoc */
  pruneExpiredState(now: number): Promise<number> {
    return this.#run(
      STORE_ERROR_CODES.writeFailed,
      'Pruning expired state',
      ({ statements }) => statements.pruneExpiredState.run(now).changes,
    );
  }

  /** @inheritDoc */
  countMessages(): Promise<number> {
    return this.#run(
      STORE_ERROR_CODES.readFailed,
      'Counting messages',
      ({ statements }) => statements.countMessages.get() ?? 0,
    );
  }

  /** @inheritDoc */
  loadConnectorPositions(connector: string): Promise<ConnectorPosition[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading connector positions', ({ statements }) =>
      statements.selectConnectorPositions.all(connector),
    );
  }

  /** @inheritDoc */
  readEgressRange(egressId: string): Promise<EgressRange> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading an egress range', ({ egress }) =>
      egress.range(egressId),
    );
  }

  /** @inheritDoc */
  findEgressOffsetSince(egressId: string, createdAt: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Finding an egress offset', ({ egress }) =>
      egress.offsetSince(egressId, createdAt),
    );
  }

  /** @inheritDoc */
  trimEgress(egressId: string, beforeOffset: number, maxRows: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Trimming an egress', ({ egress }) =>
      egress.trim(egressId, beforeOffset, maxRows),
    );
  }

  /** @inheritDoc */
  measureSpace(): Promise<StoreSpace> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Measuring space', () =>
      measureSpace(this.options.file, this.options.directory),
    );
  }

  /** @inheritDoc */
  reclaimSpace(maxBytes: number): Promise<number> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Reclaiming space', ({ db }) =>
      reclaimSpace(db, maxBytes),
    );
  }

  /** @inheritDoc */
  probeWrite(): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Probing a write', ({ statements }) => {
      statements.upsertMeta.run('write_probe', String(Date.now()));
    });
  }

  /** Wraps a driver error; an I/O error on a full file system becomes `ERR_STORE_FULL`. */
  #toStoreError(err: unknown, code: StoreErrorCode, what: string): StoreError {
    return asDiskFull(
      toSqliteStoreError(err, code, what),
      measureSpace(this.options.file, this.options.directory).freeBytes,
    );
  }

  /**
   * Runs `fn` on the open connection. Failures become a rejected promise with a {@link StoreError}, never a
   * synchronous throw, as callers of an async interface expect.
   */
  #run<T>(code: StoreErrorCode, what: string, fn: (connection: OpenConnection) => T): Promise<T> {
    const connection = this.#connection;
    if (connection === undefined) {
      const closed = this.#state === 'closed';
      return Promise.reject(
        new StoreError(
          closed ? STORE_ERROR_CODES.closed : STORE_ERROR_CODES.notOpen,
          `${what} failed: the SQLite store at ${this.options.file} is ${closed ? 'closed' : 'not open yet; call open() first'}.`,
        ),
      );
    }
    try {
      return Promise.resolve(fn(connection));
    } catch (err) {
      return Promise.reject(this.#toStoreError(err, code, `${what} (SQLite store at ${this.options.file})`));
    }
  }
}

/**
 * Creates and opens a {@link SqliteStore}.
 *
 * @param path - the data directory; created when missing.
 * @param expected - the deployment's key groups and hash.
 * @param options - further options.
 * @returns the open store.
 * @throws {@link StoreError} when the store cannot be opened or belongs to another deployment.
 */
export async function openSqliteStore(
  path: string,
  expected: { keyGroups: number; hash: string } = { keyGroups: DEFAULT_KEY_GROUPS, hash: KEY_GROUP_HASH },
  options: Omit<SqliteStoreOptions, 'path'> = {},
): Promise<SqliteStore> {
  const store = new SqliteStore({ ...options, path });
  await store.open(expected);
  return store;
}
