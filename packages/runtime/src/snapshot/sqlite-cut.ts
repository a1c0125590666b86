/**
 * The cut of a SQLite store: a connection of its own on the database file and one read transaction (WAL mode
 * lets it read the last committed state while the runtime's connection goes on writing). Rows are read a
 * thousand at a time with a turn of the event loop between, so a runtime that snapshots itself keeps serving.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

import { SnapshotError, StoreError } from '../errors.js';
import { STORE_ERROR_CODES } from '../store/common/store-errors.js';
import { lockDataDirectory } from '../store/sqlite/data-dir-lock.js';
import { META_KEYS, migrateSchema } from '../store/sqlite/migrations.js';
import { SQLITE_STORE_FILE_NAME } from '../store/sqlite/sqlite-options.js';
import type { LogicalTable } from './snapshot-format.js';
import { DERIVED_EGRESS_HEADS, Pacer, ROWS_PER_PAGE, selectAll, type StoreCut } from './store-cut.js';
import type { Row } from './table-file.js';

/** The page cache of the cut's connection, KiB: it reads each page once. */
const CUT_CACHE_KIB = 2048;

function readCutMeta(db: BetterSqlite3.Database, file: string): StoreCut['meta'] & { schemaVersion: number } {
  const meta = new Map(
    (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
      r.key,
      r.value,
    ]),
  );
  const keyGroups = Number(meta.get(META_KEYS.keyGroups));
  const hash = meta.get(META_KEYS.hash);
  if (!Number.isInteger(keyGroups) || hash === undefined)
    throw new SnapshotError(
      'ERR_SNAPSHOT_NOT_FOUND',
      `${file} holds no Statehouse store (no key groups in meta).`,
    );
  const max = (sql: string): number => Number(db.prepare(sql).pluck().get() ?? 0);
  return {
    schemaVersion: Number(meta.get(META_KEYS.schemaVersion)),
    keyGroups,
    hash,
    maxMessageSeq: Math.max(
      Number(meta.get(META_KEYS.maxMessageSeq) ?? 0),
      max('SELECT MAX(seq) FROM messages'),
    ),
    maxTimerId: Math.max(Number(meta.get(META_KEYS.maxTimerId) ?? 0), max('SELECT MAX(id) FROM timers')),
  };
}

async function* tableRows(
  db: BetterSqlite3.Database,
  table: LogicalTable,
  pacer: Pacer,
): AsyncGenerator<Row[]> {
  const sql = table.name === 'egress_heads' ? DERIVED_EGRESS_HEADS : selectAll(table);
  let page: Row[] = [];
  for (const row of db.prepare(sql).raw(true).iterate() as IterableIterator<unknown[]>) {
    page.push(row);
    if (page.length === ROWS_PER_PAGE) {
      yield page;
      page = [];
      // A turn of the event loop between pages (this may run on the runtime's own thread), and the CPU share.
      await nextTurn();
      await pacer.pause();
    }
  }
  if (page.length > 0) yield page;
}

async function inReadTransaction<T>(
  db: BetterSqlite3.Database,
  file: string,
  run: (cut: StoreCut) => Promise<T>,
  pacer: Pacer,
): Promise<T> {
  db.pragma(`cache_size = -${CUT_CACHE_KIB}`);
  db.exec('BEGIN');
  try {
    // The first read fixes the transaction's view: every table below is read as of this instant.
    const { schemaVersion, ...meta } = readCutMeta(db, file);
    return await run({
      storeKind: 'sqlite',
      schemaVersion,
      meta,
      rows: (table) => tableRows(db, table, pacer),
    });
  } finally {
    db.exec('COMMIT');
  }
}

/**
 * Cuts the store of a running runtime (this process holds its data directory).
 *
 * @param file - the store's database file.
 * @param run - writes the snapshot from the cut.
 * @param pacer - keeps the cut to a share of a CPU.
 * @returns what `run` returns.
 */
export async function withLiveSqliteCut<T>(
  file: string,
  run: (cut: StoreCut) => Promise<T>,
  pacer: Pacer = new Pacer(1),
): Promise<T> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return await inReadTransaction(db, file, run, pacer);
  } finally {
    db.close();
  }
}

/**
 * Cuts the store in a data directory no runtime holds: takes the directory's lock for the duration (so no runtime
 * starts meanwhile) and brings an older schema up to date first.
 *
 * @param directory - the data directory.
 * @param run - writes the snapshot from the cut.
 * @returns what `run` returns.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_SOURCE_IN_USE` when a runtime holds it, `ERR_SNAPSHOT_NOT_FOUND`
 *   when it holds no store.
 */
export async function withStoppedSqliteCut<T>(
  directory: string,
  run: (cut: StoreCut) => Promise<T>,
): Promise<T> {
  const file = join(directory, SQLITE_STORE_FILE_NAME);
  if (!existsSync(file))
    throw new SnapshotError(
      'ERR_SNAPSHOT_NOT_FOUND',
      `The data directory ${directory} holds no store (${file} is missing).`,
    );
  let unlock: () => void;
  try {
    unlock = lockDataDirectory(directory);
  } catch (err) {
    if (err instanceof StoreError && err.code === STORE_ERROR_CODES.locked)
      throw new SnapshotError(
        'ERR_SNAPSHOT_SOURCE_IN_USE',
        `${err.message} Snapshot a running runtime through its API instead: --url http://<its --listen address>.`,
        { cause: err },
      );
    throw err;
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    db.transaction(() => migrateSchema(db, file)).immediate();
    return await inReadTransaction(db, file, run, new Pacer(1));
  } finally {
    db.close();
    unlock();
  }
}
