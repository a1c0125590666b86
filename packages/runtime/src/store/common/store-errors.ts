/**
 * Every error code a store throws, SQLite and PostgreSQL alike, in one table; each store translates its driver's
 * errors into {@link StoreError}s with these codes (`sqlite/sqlite-errors.ts`, `postgres/postgres-errors.ts`).
 */

/** Every code a store throws, `ERR_STORE_<WHAT>`. */
export const STORE_ERROR_CODES = Object.freeze({
  /** A method other than `open` was called before `open` succeeded. */
  notOpen: 'ERR_STORE_NOT_OPEN',
  /** `open` was called twice on the same store object. */
  alreadyOpen: 'ERR_STORE_ALREADY_OPEN',
  /** A method was called after `close`. */
  closed: 'ERR_STORE_CLOSED',
  /** The store could not be opened (directory, file, permissions, journal mode). */
  openFailed: 'ERR_STORE_OPEN_FAILED',
  /** The store was written by a newer Statehouse. */
  schemaTooNew: 'ERR_STORE_SCHEMA_TOO_NEW',
  /** The store's key groups or hash differ from the configured ones. */
  metaMismatch: 'ERR_STORE_META_MISMATCH',
  /** `open` was given key groups or a hash that cannot be stored. */
  metaInvalid: 'ERR_STORE_META_INVALID',
  /** Stored data cannot be read back (unreadable metadata or dead-letter payload). */
  corrupt: 'ERR_STORE_CORRUPT',
  /** A commit broke a uniqueness rule (seq, timer id, egress offset, cancellation token); nothing was applied. */
  constraint: 'ERR_STORE_CONSTRAINT',
  /**
   * A commit carried a value the store cannot keep (too big, wrong type, invalid text, out of range); nothing
   * was applied.
   */
  invalidData: 'ERR_STORE_INVALID_DATA',
  /**
   * The disk (or file system) of the store is full: nothing was applied, and writes fail until space is freed.
   * Retryable; the runtime pauses and resumes by itself.
   */
  full: 'ERR_STORE_FULL',
  /** The database is locked by another connection or process; retryable. */
  busy: 'ERR_STORE_BUSY',
  /** A commit failed for another reason; nothing was applied. */
  commitFailed: 'ERR_STORE_COMMIT_FAILED',
  /** A read failed. */
  readFailed: 'ERR_STORE_READ_FAILED',
  /** A maintenance write (pruning) failed. */
  writeFailed: 'ERR_STORE_WRITE_FAILED',
  /** A store method was called with an argument out of range (a bug in the caller); nothing was done. */
  invalidArgument: 'ERR_STORE_INVALID_ARGUMENT',
  /** SQLite: another store, in this or another process, holds the data directory's lock. */
  locked: 'ERR_STORE_LOCKED',
  /**
   * PostgreSQL: a fenced commit found that this node no longer holds a key group's lease with the expected epoch
   * (another node took it, or it expired); nothing was applied.
   */
  fenced: 'ERR_STORE_FENCED',
  /**
   * A commit removes a dead letter (replay or discard) that is not there (any more): replayed or discarded
   * already, or never existed; nothing was applied.
   */
  deadLetterGone: 'ERR_STORE_DEAD_LETTER_GONE',
  /** PostgreSQL: the server could not be reached or refused the connection (address, credentials, database). */
  connectFailed: 'ERR_STORE_CONNECT_FAILED',
});

/** One of {@link STORE_ERROR_CODES}. */
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/**
 * The code a driver put on an error: an SQLite result code (`SQLITE_BUSY`), a PostgreSQL SQLSTATE (`40001`), a
 * postgres.js state (`CONNECTION_CLOSED`) or a Node system error code (`ENOSPC`).
 *
 * @param err - what the driver threw.
 * @returns the code, or `undefined` when there is none.
 */
export function driverCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
