/** The embedded store: one SQLite file in a data directory, WAL, fsync on every commit. */
import { lockDataDirectory } from './data-dir-lock.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';

import { DEFAULT_KEY_GROUPS, KEY_GROUP_HASH } from '../../core/address.js';
import type { FunctionAddress } from '../../core/address.js';
import { StoreError } from '../../errors.js';
import type {
  CommitBatch,
  CommitResult,
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
import { applyCommitBatch } from './commit.js';
import { SqliteEgressRanges } from './egress-range.js';
import { SqliteInboxReads } from './inbox-reads.js';
import type { AppliedBatch, HighWaterMarks } from './commit.js';
import { META_KEYS, migrateSchema, SQLITE_SCHEMA_VERSION } from './migrations.js';
import {
  deadLetterFromRow,
  egressFromRow,
  messageFromRow,
  specFromRow,
  stateFromRow,
  timerFromRow,
} from '../common/rows.js';
import { enableIncrementalVacuum, measureSpace, reclaimSpace } from './space.js';
import { prepareStatements } from './statements.js';
import type { SqliteStatements } from './statements.js';
import { checkRecordedMeta, validateExpected, type StoreLifecycleState } from '../common/open-checks.js';
import { STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';
import { asDiskFull, toSqliteStoreError } from './sqlite-errors.js';

/** Name of the database file inside the data directory. */
export const SQLITE_STORE_FILE_NAME = 'statehouse.db';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The data directory; created when missing. The database is `<path>/statehouse.db`. */
  readonly path: string;
  /** Where lifecycle events (open, migrate, close) are logged. @default no logging */
  readonly logger?: Logger;
  /** How long a statement waits for a lock held by another connection, in ms. @default 5000 */
  readonly busyTimeoutMs?: number;
}

/** {@link SqliteStoreOptions} with every default applied. */
export interface ResolvedSqliteStoreOptions {
  readonly directory: string;
  readonly file: string;
  readonly logger: Logger | undefined;
  readonly busyTimeoutMs: number;
}

/** What the store needs while open. */
interface OpenConnection {
  readonly db: BetterSqlite3.Database;
  readonly statements: SqliteStatements;
  readonly egress: SqliteEgressRanges;
  readonly inbox: SqliteInboxReads;
  readonly commit: (batch: CommitBatch) => AppliedBatch;
}

/** Connection settings the SQLite-specific tests check. */
export type SqlitePragma = 'journal_mode' | 'synchronous' | 'busy_timeout';

function resolveOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  return {
    directory: options.path,
    file: join(options.path, SQLITE_STORE_FILE_NAME),
    logger: options.logger?.child({ component: 'store.sqlite' }),
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  };
}

/** Records `expected` in a new store, or checks it against an existing one. Runs inside the open transaction. */
function checkMeta(
  db: BetterSqlite3.Database,
  file: string,
  expected: { keyGroups: number; hash: string },
): void {
  const select = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const recorded = { keyGroups: select.get(META_KEYS.keyGroups), hash: select.get(META_KEYS.hash) };
  if (checkRecordedMeta(recorded, expected, { where: file, kind: 'data directory' })) return;
  const insert = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');
  insert.run(META_KEYS.keyGroups, String(expected.keyGroups));
  insert.run(META_KEYS.hash, expected.hash);
}

/**
 * Sets a fresh connection up: incremental vacuum, WAL with an fsync on every commit, large checkpoints.
 *
 * @throws {@link StoreError} `ERR_STORE_OPEN_FAILED` when the file system refuses WAL mode.
 */
function configureDatabase(
  db: BetterSqlite3.Database,
  file: string,
  directory: string,
  logger: Logger | undefined,
): void {
  const vacuum = enableIncrementalVacuum(db, file, directory);
  if (vacuum === 'rebuilt') logger?.info({ file }, 'store rebuilt once so that deleted rows give space back');
  else if (vacuum !== 'enabled')
    logger?.warn(
      { file, reason: vacuum },
      'the store was not rebuilt for incremental vacuum (space of deleted rows is reused, not given back); tried again at the next start',
    );
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new StoreError(
      STORE_ERROR_CODES.openFailed,
      `The SQLite store at ${file} could not switch to WAL journal mode (got "${String(mode)}"). ` +
        'Put the data directory on a local file system.',
    );
  }
  // Durability is a product guarantee: fsync the WAL on every commit.
  db.pragma('synchronous = FULL');
  // Fewer, larger checkpoints: each one fsyncs the database file and stalls the commit that triggers it.
  db.pragma('wal_autocheckpoint = 10000');
}

function readMarks(s: SqliteStatements): HighWaterMarks {
  const storedSeq = Number(s.selectMeta.get(META_KEYS.maxMessageSeq) ?? 0);
  const storedTimer = Number(s.selectMeta.get(META_KEYS.maxTimerId) ?? 0);
  return {
    maxMessageSeq: Math.max(storedSeq, s.selectMaxMessageSeq.get() ?? 0),
    maxTimerId: Math.max(storedTimer, s.selectMaxTimerId.get() ?? 0),
  };
}

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
  #marks: HighWaterMarks = { maxMessageSeq: 0, maxTimerId: 0 };
  #unlock: (() => void) | undefined;

  /** @param options - where the data lives and how to log. */
  constructor(options: SqliteStoreOptions) {
    this.options = resolveOptions(options);
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
    const { file, directory, busyTimeoutMs, logger } = this.options;
    let db: BetterSqlite3.Database | undefined;
    try {
      mkdirSync(directory, { recursive: true });
      this.#unlock = lockDataDirectory(directory);
      db = new Database(file, { timeout: busyTimeoutMs });
      configureDatabase(db, file, directory, logger);
      const opened = db;
      const migration = opened
        .transaction(() => {
          const result = migrateSchema(opened, file);
          checkMeta(opened, file, expected);
          return result;
        })
        .immediate();
      const statements = prepareStatements(opened);
      const commit = opened.transaction((batch: CommitBatch) =>
        applyCommitBatch(statements, batch, this.#marks),
      );
      this.#marks = readMarks(statements);
      this.#connection = {
        db: opened,
        statements,
        egress: new SqliteEgressRanges(opened),
        inbox: new SqliteInboxReads(opened),
        commit: (batch) => commit.immediate(batch),
      };
      this.#state = 'open';
      logger?.info(
        { file, schemaVersion: migration.to, migratedFrom: migration.from, keyGroups: expected.keyGroups },
        migration.from === migration.to ? 'store opened' : 'store opened and migrated',
      );
    } catch (err) {
      db?.close();
      this.#unlock?.();
      this.#unlock = undefined;
      throw this.#toStoreError(err, STORE_ERROR_CODES.openFailed, `Opening the SQLite store at ${file}`);
    }
    return { schemaVersion: SQLITE_SCHEMA_VERSION, keyGroups: expected.keyGroups, hash: expected.hash };
  }

  /** @inheritDoc */
  close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#state = 'closed';
    if (connection !== undefined) {
      connection.db.close();
      this.options.logger?.info({ file: this.options.file }, 'store closed');
    }
    this.#unlock?.();
    this.#unlock = undefined;
    return Promise.resolve();
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
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading messages', ({ statements }) => {
      if (keyGroups === undefined) return statements.selectMessages.all().map(messageFromRow);
      if (keyGroups.length === 0) return [];
      return statements.selectMessagesIn.all(JSON.stringify(keyGroups)).map(messageFromRow);
    });
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
    return this.#run(STORE_ERROR_CODES.readFailed, 'Counting the inbox', ({ inbox }) =>
      inbox.stats(keyGroups),
    );
  }

  /** @inheritDoc */
  loadTimers(keyGroups?: readonly number[]): Promise<StoredTimer[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading timers', ({ statements }) => {
      if (keyGroups === undefined) return statements.selectTimers.all().map(timerFromRow);
      if (keyGroups.length === 0) return [];
      return statements.selectTimersIn.all(JSON.stringify(keyGroups)).map(timerFromRow);
    });
  }

  /** @inheritDoc */
  loadCounters(): Promise<StoreCounters> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Loading counters', ({ statements, egress }) => {
      // An egress whose records were all deleted by retention continues after its retained range.
      const egressNextOffsets = egress.firstOffsets();
      for (const row of statements.selectEgressNextOffsets.all()) {
        egressNextOffsets.set(
          row.egress_id,
          Math.max(row.next_offset, egressNextOffsets.get(row.egress_id) ?? 0),
        );
      }
      return { ...this.#marks, egressNextOffsets };
    });
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
    return this.#run(STORE_ERROR_CODES.readFailed, 'Reading an egress cursor', ({ db }) => {
      const row = db.prepare('SELECT next_offset FROM egress_cursors WHERE egress_id = ?').get(egressId) as
        { next_offset: number } | undefined;
      return row?.next_offset ?? 0;
    });
  }

  /** @inheritDoc */
  writeEgressCursor(egressId: string, nextOffset: number): Promise<void> {
    return this.#run(STORE_ERROR_CODES.writeFailed, 'Writing an egress cursor', ({ db }) => {
      db.prepare(
        'INSERT INTO egress_cursors (egress_id, next_offset) VALUES (?, ?) ON CONFLICT (egress_id) DO UPDATE SET next_offset = excluded.next_offset',
      ).run(egressId, nextOffset);
    });
  }

  /** @inheritDoc */
  listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#run(STORE_ERROR_CODES.readFailed, 'Listing dead letters', ({ statements }) =>
      statements.selectDeadLetters.all(limit).map(deadLetterFromRow),
    );
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
