/**
 * One process per data directory: two runtimes on the same SQLite store would break exactly-once (each
 * would run the same inbox).
 *
 * The lock is a kernel lock, never a PID check. `statehouse.lock` is an empty SQLite database that the holder
 * keeps open with an exclusive lock (`locking_mode = EXCLUSIVE` and a `BEGIN EXCLUSIVE` it never ends). SQLite
 * takes it as a POSIX (fcntl) lock, which the kernel drops when the holder closes the file or dies, before
 * the dead process is even a zombie. So a process that is gone never blocks a restart, whatever reuses its
 * PID, and a live holder is never taken over. SQLite also tracks its locks inside a process (POSIX locks
 * belong to the process), so a second store in the same process is refused too.
 *
 * Two rules keep the lock sound:
 * - This process must open `statehouse.lock` only through SQLite: closing any descriptor of a file drops
 *   all of the process's POSIX locks on it, and only SQLite's own handles are guarded against that. The
 *   holder's pid and host therefore go to a separate file, `statehouse.lock.holder`, read for the error
 *   message only.
 * - Nobody deletes `statehouse.lock`: a process that opened the old file could lock it while another one
 *   creates and locks a new file, and both would run. An empty file is harmless to leave behind.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { StoreError } from '../../errors.js';
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import { toSqliteStoreError } from './sqlite-errors.js';

/** Name of the lock file inside the data directory: an empty SQLite database, locked while a store is open. */
export const LOCK_FILE_NAME = 'statehouse.lock';

/** Name of the file that records the lock holder's pid and host (informational, for error messages). */
export const LOCK_HOLDER_FILE_NAME = 'statehouse.lock.holder';

/** The PID lock file of Statehouse versions before the kernel lock; ignored, and removed once locked. */
const LEGACY_LOCK_FILE_NAME = 'LOCK';

function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

function describeHolder(holderPath: string): string {
  let text: string;
  try {
    text = readFileSync(holderPath, 'utf8').trim();
  } catch {
    return 'which one is not recorded';
  }
  const [pid, host] = text.split(' ');
  return pid === undefined || pid === '' || host === undefined
    ? 'which one is not recorded'
    : `process ${pid} on host ${host}`;
}

/**
 * Takes the data directory's lock and holds it until the returned function is called (or the process dies).
 *
 * @param directory - the data directory; it must exist.
 * @returns a function that releases the lock; calling it again does nothing.
 * @throws {@link StoreError} `ERR_STORE_LOCKED` when another store, in this or another process, holds the lock;
 *   `ERR_STORE_OPEN_FAILED` when the lock file cannot be opened or locked for another reason.
 */
export function lockDataDirectory(directory: string): () => void {
  const path = join(directory, LOCK_FILE_NAME);
  const holderPath = join(directory, LOCK_HOLDER_FILE_NAME);
  let db: Database.Database | undefined;
  try {
    // Fail at once instead of waiting: a holder keeps the lock for its whole life.
    db = new Database(path, { timeout: 0 });
    // No `-journal` file next to the lock; nothing is ever written to it.
    db.pragma('journal_mode = MEMORY');
    // Exclusive locking mode keeps the lock after a transaction; the open transaction takes it now.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db?.close();
    if (isBusy(err)) {
      throw new StoreError(
        STORE_ERROR_CODES.locked,
        `The data directory ${directory} is in use by another Statehouse runtime (${describeHolder(holderPath)}); ` +
          'stop it first, or give this one another data directory (the dataDir option); two runtimes on one data directory would run every message twice.',
        { cause: err },
      );
    }
    throw toSqliteStoreError(
      err,
      STORE_ERROR_CODES.openFailed,
      `Locking the data directory ${directory} with ${path}`,
    );
  }
  const lock = db;
  try {
    writeFileSync(holderPath, `${process.pid} ${hostname()}\n`);
    // An older version's PID lock file decides nothing any more; left behind, it would only mislead a reader.
    rmSync(join(directory, LEGACY_LOCK_FILE_NAME), { force: true });
  } catch (err) {
    lock.close();
    throw toSqliteStoreError(err, STORE_ERROR_CODES.openFailed, `Locking the data directory ${directory}`);
  }
  let isHeld = true;
  return () => {
    if (!isHeld) return;
    isHeld = false;
    try {
      // Removed while the lock is still ours, so it never deletes the record of the next holder.
      rmSync(holderPath, { force: true });
    } finally {
      lock.close();
    }
  };
}
