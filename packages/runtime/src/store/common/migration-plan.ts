/**
 * What the SQLite and PostgreSQL stores share about migrating: which migrations are pending, in which order, and
 * the check that the list has no gaps. Each store applies them inside its own transaction.
 */
import { StoreError } from '../../errors.js';
import { checkSchemaVersion, type StoreLocation } from './open-checks.js';
import { STORE_ERROR_CODES } from './store-errors.js';

/** What every store's migration has: the schema version it produces (1, 2, 3, … without gaps). */
export interface VersionedMigration {
  readonly version: number;
}

/** The migrations an open applies, from the recorded version up to the newest one. */
export interface MigrationPlan<M extends VersionedMigration> {
  /** The recorded version, 0 for a new store. */
  readonly from: number;
  /** The newest version: the number of migrations. */
  readonly to: number;
  /** The migrations to apply, in order: versions `from + 1` to `to`. */
  readonly pending: readonly M[];
}

/**
 * Checks the recorded schema version and lists the migrations that bring the store up to the newest one.
 *
 * @param recorded - the recorded version text, `undefined` for a new store.
 * @param migrations - every migration, in order; the one at index `i` must produce version `i + 1`.
 * @param store - the store, for messages.
 * @returns the version found, the version to reach and the migrations in between.
 * @throws {@link StoreError} `ERR_STORE_CORRUPT` when the recorded version does not parse,
 *   `ERR_STORE_SCHEMA_TOO_NEW` when it is newer than the newest migration, `ERR_STORE_OPEN_FAILED` when a pending
 *   migration is not at the place its version says (a bug in the migration list).
 */
export function planMigrations<M extends VersionedMigration>(
  recorded: string | undefined,
  migrations: readonly M[],
  store: StoreLocation,
): MigrationPlan<M> {
  const to = migrations.length;
  const from = checkSchemaVersion(recorded, to, store);
  const pending = migrations.slice(from);
  pending.forEach((migration, index) => {
    const expected = from + index + 1;
    if (migration.version !== expected) {
      throw new StoreError(
        STORE_ERROR_CODES.openFailed,
        `The migration list of the store at ${store.where} is out of order: position ${expected} holds version ` +
          `${migration.version}, but versions must be 1, 2, 3, … without gaps. This is a bug in Statehouse (or in ` +
          `the list a test passed): report it.`,
      );
    }
  });
  return { from, to, pending };
}
