/**
 * Disk space of the SQLite store: what its files take, what the file system has left, and giving pages freed
 * by deletes back to the file system (`auto_vacuum = INCREMENTAL`, run off the hot path by maintenance).
 */
import { statSync, statfsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { StoreSpace } from '../store.js';

/** The WAL is truncated back to this size after checkpoints (it would otherwise keep its largest size). */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Makes freed pages reclaimable. A new database gets `auto_vacuum = INCREMENTAL` before its first table; an
 * existing one without it is rebuilt once with `VACUUM`, which needs free space about the size of the file:
 * with less, it is skipped (and tried again at the next start) rather than filling the disk.
 *
 * @returns what happened, for the log.
 */
export function enableIncrementalVacuum(
  db: BetterSqlite3.Database,
  file: string,
  directory: string,
): 'enabled' | 'rebuilt' | 'skipped: not enough free space' | 'skipped: rebuild failed' {
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  if (db.pragma('auto_vacuum', { simple: true }) === 2) return 'enabled';
  const tables = db
    .prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .get() as number;
  if (tables === 0) {
    db.pragma('auto_vacuum = INCREMENTAL');
    return 'enabled';
  }
  const { storeBytes, freeBytes } = measureSpace(file, directory);
  if (freeBytes !== undefined && freeBytes < 2 * storeBytes + 16 * 1024 * 1024)
    return 'skipped: not enough free space';
  db.pragma('auto_vacuum = INCREMENTAL');
  try {
    db.exec('VACUUM');
  } catch {
    return 'skipped: rebuild failed';
  }
  return 'rebuilt';
}

/** Sizes of the database file and its WAL, and free bytes of their file system. */
export function measureSpace(file: string, directory: string): StoreSpace {
  const storeBytes = fileSize(file) + fileSize(`${file}-wal`);
  let freeBytes: number | undefined;
  try {
    const fs = statfsSync(directory);
    freeBytes = fs.bavail * fs.bsize;
  } catch {
    freeBytes = undefined;
  }
  return { storeBytes, freeBytes };
}

/**
 * Returns up to `maxBytes` of free pages to the file system, then checkpoints and truncates the WAL.
 *
 * @returns bytes given back from the database file.
 */
export function reclaimSpace(db: BetterSqlite3.Database, maxBytes: number): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = Math.min(free, Math.max(1, Math.floor(maxBytes / pageSize)));
  if (pages > 0) db.pragma(`incremental_vacuum(${pages})`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return pages * pageSize;
}
