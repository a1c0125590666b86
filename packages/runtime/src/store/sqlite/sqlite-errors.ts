/** The translation of better-sqlite3 errors into {@link StoreError}s with the codes of {@link STORE_ERROR_CODES}. */
import { StoreError } from '../../errors.js';
import { driverCode, STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';

/**
 * A full disk does not always say so: when the WAL index (`-shm`) or the WAL must grow, SQLite reports an I/O
 * error (`SQLITE_IOERR_SHMSIZE`, `SQLITE_IOERR_WRITE`, …). Such an error on a file system with (almost) no free
 * space is a full disk: {@link STORE_ERROR_CODES.full}, not a fatal failure.
 *
 * @param err - a store error built by {@link toSqliteStoreError}.
 * @param freeBytes - free bytes of the data directory's file system now, if known.
 * @returns `err`, or an `ERR_STORE_FULL` error caused by it.
 */
export function asDiskFull(err: StoreError, freeBytes: number | undefined): StoreError {
  if (err.code === STORE_ERROR_CODES.full || freeBytes === undefined || freeBytes > DISK_FULL_BELOW_BYTES)
    return err;
  const sqliteCode = driverCode(err.cause);
  if (sqliteCode?.startsWith('SQLITE_IOERR') !== true && sqliteCode !== 'SQLITE_CANTOPEN') return err;
  return new StoreError(
    STORE_ERROR_CODES.full,
    `${err.message} The file system of the data directory has ${freeBytes} bytes free: it is full. Free disk ` +
      'space; the runtime resumes by itself once writes succeed again.',
    { cause: err.cause, retryable: true },
  );
}

/** Free space below which an I/O error counts as a full disk. */
const DISK_FULL_BELOW_BYTES = 1024 * 1024;

/**
 * Wraps an error from the driver into a {@link StoreError}; a `StoreError` passes through unchanged.
 *
 * @param err - what was thrown.
 * @param code - the code to use when the driver error has no more specific one.
 * @param what - the operation, e.g. `committing a batch to /data/statehouse.db`.
 * @returns the error to throw.
 */
export function toSqliteStoreError(err: unknown, code: StoreErrorCode, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const sqliteCode = driverCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (sqliteCode?.startsWith('SQLITE_CONSTRAINT') === true) {
    return new StoreError(
      STORE_ERROR_CODES.constraint,
      `${what} failed: ${detail} (${sqliteCode}); nothing was applied. Message seqs, timer ids, egress offsets ` +
        'and pending cancellation tokens of a sender must be unique: the effects that broke the rule are refused ' +
        'and their address stalls.',
      { cause: err },
    );
  }
  if (sqliteCode === 'SQLITE_TOOBIG' || sqliteCode?.startsWith('SQLITE_MISMATCH') === true) {
    return new StoreError(
      STORE_ERROR_CODES.invalidData,
      `${what} failed: ${detail} (${sqliteCode}); nothing was applied. The effects carrying the value are ` +
        'refused and their address stalls.',
      { cause: err },
    );
  }
  if (sqliteCode?.startsWith('SQLITE_BUSY') === true || sqliteCode?.startsWith('SQLITE_LOCKED') === true) {
    return new StoreError(
      STORE_ERROR_CODES.busy,
      `${what} failed: the database is locked (${sqliteCode}). Another process may be using the same data ` +
        'directory: run one Statehouse per data directory, or retry.',
      { cause: err, retryable: true },
    );
  }
  if (sqliteCode === 'SQLITE_FULL' || sqliteCode === 'ENOSPC') {
    return new StoreError(
      STORE_ERROR_CODES.full,
      `${what} failed: the disk of the data directory is full (${sqliteCode}); nothing was applied. Free disk ` +
        'space outside the store (deleting rows needs room too); the runtime resumes by itself once writes succeed again.',
      { cause: err, retryable: true },
    );
  }
  const retryable = sqliteCode?.startsWith('SQLITE_IOERR') === true;
  return new StoreError(
    code,
    `${what} failed: ${detail}${sqliteCode === undefined ? '' : ` (${sqliteCode})`}.`,
    {
      cause: err,
      retryable,
    },
  );
}
