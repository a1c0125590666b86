/**
 * The open sequence of the PostgreSQL store on a new pool: migrate the schema and record or check the
 * deployment's meta, in one transaction (serialized across processes by the migration's advisory lock).
 */
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import type { StoreMeta } from '../store.js';
import { checkMeta, migrateSchema, PG_SCHEMA_VERSION } from './migrations.js';
import { toPostgresStoreError } from './postgres-errors.js';
import type { ResolvedPostgresStoreOptions } from './postgres-options.js';
import type { Sql } from './sql.js';

/**
 * Migrates the schema and records or checks `expected`, then logs the open. On failure the pool is ended.
 *
 * @param sql - the store's new pool.
 * @param options - the store's options (URL for messages, logger).
 * @param expected - the deployment's key groups and hash.
 * @returns the store's meta.
 * @throws {@link StoreError} `ERR_STORE_CONNECT_FAILED`, `ERR_STORE_META_MISMATCH`, `ERR_STORE_SCHEMA_TOO_NEW`,
 * or `ERR_STORE_OPEN_FAILED`.
 */
export async function setUpSchema(
  sql: Sql,
  options: ResolvedPostgresStoreOptions,
  expected: { keyGroups: number; hash: string },
): Promise<StoreMeta> {
  const { redactedUrl, logger } = options;
  try {
    const migration = await sql.begin(async (tx) => {
      const result = await migrateSchema(tx, redactedUrl);
      await checkMeta(tx, redactedUrl, expected);
      return result;
    });
    logger?.info(
      {
        url: redactedUrl,
        schemaVersion: migration.to,
        migratedFrom: migration.from,
        keyGroups: expected.keyGroups,
      },
      migration.from === migration.to ? 'store opened' : 'store opened and migrated',
    );
    return { schemaVersion: PG_SCHEMA_VERSION, keyGroups: expected.keyGroups, hash: expected.hash };
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw toPostgresStoreError(
      err,
      STORE_ERROR_CODES.openFailed,
      'Opening the PostgreSQL store',
      options.url,
    );
  }
}
