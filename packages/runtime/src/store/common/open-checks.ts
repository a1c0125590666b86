/**
 * What the SQLite and PostgreSQL stores share about opening: their lifecycle, the check of the key groups and
 * hash they are opened with, and the checks of the schema version and deployment they find recorded.
 */
import { StoreError } from '../../errors.js';
import { STORE_ERROR_CODES } from './store-errors.js';

/** Lifecycle of a store: `open()` moves it from `created` to `open`, `close()` to `closed`, for good. */
export type StoreLifecycleState = 'created' | 'open' | 'closed';

/** Which store a message is about, and what holds its data (for the fix the message suggests). */
export interface StoreLocation {
  /** The database file, or the URL without its password. */
  readonly where: string;
  readonly kind: 'data directory' | 'database';
}

/**
 * Checks the key groups and hash a store is opened with, before anything is read or written.
 *
 * @param expected - the deployment's key groups and hash.
 * @throws {@link StoreError} `ERR_STORE_META_INVALID` when the key groups are not a positive integer or the hash
 *   name is empty.
 */
export function validateExpected(expected: { keyGroups: number; hash: string }): void {
  if (!Number.isSafeInteger(expected.keyGroups) || expected.keyGroups < 1) {
    throw new StoreError(
      STORE_ERROR_CODES.metaInvalid,
      `keyGroups must be a positive integer, got ${String(expected.keyGroups)}. Configure a key group count such as 256.`,
    );
  }
  if (expected.hash.length === 0) {
    throw new StoreError(STORE_ERROR_CODES.metaInvalid, 'The key group hash name must not be empty.');
  }
}

/**
 * Reads the schema version a store recorded and checks that this Statehouse can migrate it.
 *
 * @param recorded - the recorded version text, `undefined` for a new store.
 * @param latest - the newest version this Statehouse knows.
 * @param store - the store, for messages.
 * @returns the recorded version, 0 for a new store.
 * @throws {@link StoreError} `ERR_STORE_CORRUPT` when the version does not parse, `ERR_STORE_SCHEMA_TOO_NEW` when
 *   it is newer than `latest`.
 */
export function checkSchemaVersion(
  recorded: string | undefined,
  latest: number,
  store: StoreLocation,
): number {
  const version = recorded === undefined ? 0 : Number(recorded);
  if (!Number.isInteger(version) || version < 0) {
    throw new StoreError(
      STORE_ERROR_CODES.corrupt,
      `The store at ${store.where} has an unreadable schema version ${JSON.stringify(recorded)}. ` +
        `Restore the ${store.kind} from a backup, or start with a new, empty ${store.kind}.`,
    );
  }
  if (version > latest) {
    throw new StoreError(
      STORE_ERROR_CODES.schemaTooNew,
      `The store at ${store.where} has schema version ${version}, but this Statehouse only knows versions up to ` +
        `${latest}. It was written by a newer Statehouse: upgrade Statehouse to open it.`,
    );
  }
  return version;
}

/**
 * Checks the key groups and hash a store recorded against the configured ones. Both are fixed once data exists,
 * because they decide where each address's data lives.
 *
 * @param recorded - the recorded texts, `undefined` where nothing is recorded.
 * @param expected - the configured key groups and hash.
 * @param store - the store, for messages.
 * @returns `false` when nothing is recorded yet (a new store: the caller records `expected`), `true` when the
 *   recorded values match.
 * @throws {@link StoreError} `ERR_STORE_META_MISMATCH` naming both the recorded and the configured values.
 */
export function checkRecordedMeta(
  recorded: { readonly keyGroups: string | undefined; readonly hash: string | undefined },
  expected: { keyGroups: number; hash: string },
  store: StoreLocation,
): boolean {
  if (recorded.keyGroups === undefined && recorded.hash === undefined) return false;
  if (recorded.keyGroups !== String(expected.keyGroups) || recorded.hash !== expected.hash) {
    throw new StoreError(
      STORE_ERROR_CODES.metaMismatch,
      `The store at ${store.where} was created with keyGroups=${recorded.keyGroups ?? '(none)'} and hash ` +
        `"${recorded.hash ?? '(none)'}", but Statehouse is configured with keyGroups=${expected.keyGroups} and hash ` +
        `"${expected.hash}". Both are fixed once data exists because they decide where each address's data lives: ` +
        `configure keyGroups=${recorded.keyGroups ?? '?'} (and the same hash), or use a new, empty ${store.kind}.`,
    );
  }
  return true;
}
