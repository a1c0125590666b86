/**
 * Opening the SQLite store's connection, in this order: lock the data directory, open the file, set it up
 * (incremental vacuum, WAL, fsync on every commit), migrate the schema and record or check the deployment's
 * meta in one transaction, then prepare the statements and read the id high-water marks.
 */
import { mkdirSync } from 'node:fs';

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';

import { StoreError } from '../../errors.js';
import type { CommitBatch } from '../store.js';
import { checkRecordedMeta } from '../common/open-checks.js';
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import { applyCommitBatch } from './commit.js';
import type { AppliedBatch, CommitMarks } from './commit.js';
import { lockDataDirectory } from './data-dir-lock.js';
import { SqliteEgressRanges } from './egress-range.js';
import { SqliteInboxReads } from './inbox-reads.js';
import { META_KEYS, migrateSchema } from './migrations.js';
import { enableIncrementalVacuum } from './space.js';
import type { ResolvedSqliteStoreOptions } from './sqlite-options.js';
import { prepareStatements } from './statements.js';
import type { SqliteStatements } from './statements.js';

/** What the store needs while open. */
export interface OpenConnection {
  readonly db: BetterSqlite3.Database;
  readonly statements: SqliteStatements;
  readonly egress: SqliteEgressRanges;
  readonly inbox: SqliteInboxReads;
  readonly commit: (batch: CommitBatch) => AppliedBatch;
}

/** What {@link openConnection} opened. */
export interface OpenedConnection {
  readonly connection: OpenConnection;
  /** The id high-water marks recorded in the store. */
  readonly marks: CommitMarks;
  /** The schema version found and the one now in place. */
  readonly migration: { readonly from: number; readonly to: number };
  /** Frees the data directory's lock; call it after closing the database. */
  readonly unlock: () => void;
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

function readMarks(s: SqliteStatements): CommitMarks {
  const storedSeq = Number(s.selectMeta.get(META_KEYS.maxMessageSeq) ?? 0);
  const storedTimer = Number(s.selectMeta.get(META_KEYS.maxTimerId) ?? 0);
  return {
    maxMessageSeq: Math.max(storedSeq, s.selectMaxMessageSeq.get() ?? 0),
    maxTimerId: Math.max(storedTimer, s.selectMaxTimerId.get() ?? 0),
    recordedMessageSeq: storedSeq,
  };
}

/**
 * Locks the data directory and opens, sets up and migrates its database. On failure nothing stays open or
 * locked, and the driver's error is thrown as it is (the store wraps it).
 *
 * @param options - where the data lives, the busy timeout and the logger.
 * @param expected - the deployment's key groups and hash, recorded in a new store or checked in an existing one.
 * @param currentMarks - the store's high-water marks at the time of each commit.
 * @returns the open connection, the recorded marks, what the migration did and how to unlock.
 * @throws when the directory is locked, the file cannot be opened or migrated, or the meta does not match.
 */
export function openConnection(
  options: ResolvedSqliteStoreOptions,
  expected: { keyGroups: number; hash: string },
  currentMarks: () => CommitMarks,
): OpenedConnection {
  const { file, directory, busyTimeoutMs, logger } = options;
  let db: BetterSqlite3.Database | undefined;
  let unlock: (() => void) | undefined;
  try {
    mkdirSync(directory, { recursive: true });
    unlock = lockDataDirectory(directory);
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
      applyCommitBatch(statements, batch, currentMarks()),
    );
    const connection: OpenConnection = {
      db: opened,
      statements,
      egress: new SqliteEgressRanges(opened),
      inbox: new SqliteInboxReads(opened),
      commit: (batch) => commit.immediate(batch),
    };
    return { connection, marks: readMarks(statements), migration, unlock };
  } catch (err) {
    db?.close();
    unlock?.();
    throw err;
  }
}
