/**
 * Loading a snapshot into a data directory. The rows go into a new database file beside the target (same schema,
 * same migrations as a runtime creates), in one transaction; only once it is complete and on disk does it replace
 * the target's file, under the directory's lock. A failed restore leaves the target as it was.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

import { SnapshotError, StoreError } from '../errors.js';
import { STORE_ERROR_CODES } from '../store/common/store-errors.js';
import { lockDataDirectory } from '../store/sqlite/data-dir-lock.js';
import { META_KEYS, migrateSchema } from '../store/sqlite/migrations.js';
import { SQLITE_STORE_FILE_NAME } from '../store/sqlite/sqlite-options.js';
import { enableIncrementalVacuum } from '../store/sqlite/space.js';
import { SNAPSHOT_TABLES } from './snapshot-format.js';
import { columnList, loadInChunks, type SnapshotLoad } from './snapshot-load.js';

/** Tables SQLite derives instead of storing (the next egress offsets follow from the records and retention). */
const DERIVED_IN_SQLITE = new Set(['egress_heads']);

/**
 * Takes a target data directory's lock.
 *
 * @param dataDir - the directory (it must exist).
 * @returns the unlock function.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_TARGET_IN_USE` when a runtime holds it.
 */
export function lockTarget(dataDir: string): () => void {
  try {
    return lockDataDirectory(dataDir);
  } catch (err) {
    if (err instanceof StoreError && err.code === STORE_ERROR_CODES.locked)
      throw new SnapshotError('ERR_SNAPSHOT_TARGET_IN_USE', `${err.message} Stop it before restoring.`, {
        cause: err,
      });
    throw err;
  }
}

/** Whether the data directory's store holds any row of a logical table. */
function holdsData(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
    return SNAPSHOT_TABLES.some(
      (t) => tables.has(t.name) && db.prepare(`SELECT EXISTS (SELECT 1 FROM ${t.name})`).pluck().get() === 1,
    );
  } finally {
    db.close();
  }
}

async function writeStaging(
  db: BetterSqlite3.Database,
  file: string,
  dir: string,
  load: SnapshotLoad,
): Promise<Record<string, number>> {
  enableIncrementalVacuum(db, file, dir);
  // The file is made durable once, at the end (fsync before it replaces the target).
  db.pragma('synchronous = OFF');
  db.transaction(() => {
    migrateSchema(db, file);
    const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    setMeta.run(META_KEYS.keyGroups, String(load.meta.keyGroups));
    setMeta.run(META_KEYS.hash, load.meta.hash);
    setMeta.run(META_KEYS.maxMessageSeq, String(load.meta.maxMessageSeq));
    setMeta.run(META_KEYS.maxTimerId, String(load.meta.maxTimerId));
  }).immediate();
  const rows: Record<string, number> = {};
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const tableLoad of load.tables) {
      const { table } = tableLoad;
      if (DERIVED_IN_SQLITE.has(table.name)) {
        rows[table.name] = await loadInChunks(tableLoad, () => {});
        continue;
      }
      const insert = db.prepare(
        `INSERT INTO ${table.name} (${columnList(table)}) VALUES (${table.columns.map(() => '?').join(', ')})`,
      );
      rows[table.name] = await loadInChunks(tableLoad, (chunk) => {
        for (const row of chunk) insert.run(...row);
      });
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  return rows;
}

/** Staging directories of restores that were killed (a restore holds the lock, so none is in progress). */
function sweepAbandonedRestores(dataDir: string): void {
  for (const entry of readdirSync(dataDir, { withFileTypes: true }))
    if (entry.isDirectory() && /^restore-[0-9a-f]{8}$/u.test(entry.name))
      rmSync(join(dataDir, entry.name), { recursive: true, force: true });
}

/**
 * Puts the new database file in place of the old one. The old one's WAL is first merged into it (its last
 * runtime may have been killed with commits only in the WAL), so a crash at any point leaves either the old
 * store, whole, or the new one; never the new file with the old one's journal.
 */
function replaceStore(target: string, staging: string): void {
  if (existsSync(target)) {
    const old = new Database(target, { fileMustExist: true });
    try {
      old.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      old.close();
    }
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staging, target);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a snapshot into a data directory.
 *
 * @param dataDir - the target data directory (created when missing).
 * @param load - the snapshot's rows and meta.
 * @returns rows loaded by table.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_TARGET_IN_USE` (a runtime holds it), `ERR_SNAPSHOT_TARGET_NOT_EMPTY`
 *   (it holds data and `force` is off), `ERR_SNAPSHOT_CORRUPT`.
 */
export async function loadIntoSqlite(dataDir: string, load: SnapshotLoad): Promise<Record<string, number>> {
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockTarget(dataDir);
  const target = join(dataDir, SQLITE_STORE_FILE_NAME);
  const stagingDir = join(dataDir, `restore-${randomBytes(4).toString('hex')}`);
  try {
    if (!load.force && holdsData(target))
      throw new SnapshotError(
        'ERR_SNAPSHOT_TARGET_NOT_EMPTY',
        `The data directory ${dataDir} already holds a store with data. Pass --force to replace it, or restore into an empty directory.`,
      );
    sweepAbandonedRestores(dataDir);
    mkdirSync(stagingDir);
    const staging = join(stagingDir, SQLITE_STORE_FILE_NAME);
    const db = new Database(staging);
    let rows: Record<string, number>;
    try {
      rows = await writeStaging(db, staging, stagingDir, load);
    } finally {
      db.close();
    }
    fsyncFile(staging);
    replaceStore(target, staging);
    fsyncFile(dataDir);
    return rows;
  } finally {
    rmSync(stagingDir, { recursive: true, force: true });
    unlock();
  }
}
