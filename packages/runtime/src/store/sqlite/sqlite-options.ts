/** Options of the SQLite store, and their defaults. */
import { join } from 'node:path';

import type { Logger } from 'pino';

/** Name of the database file inside the data directory. */
export const SQLITE_STORE_FILE_NAME = 'statehouse.db';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** The data directory; created when missing. The database is `<path>/statehouse.db`. */
  readonly path: string;
  /** Where lifecycle events (open, migrate, close) are logged. @default no logging */
  readonly logger?: Logger;
  /** How long a statement waits for a lock held by another connection, in ms. @default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * Experimental. Once counting the backlog per type took longer than this, in ms, the count runs on a thread of
   * its own (the event loop goes on meanwhile), until it is fast again. @default 20
   */
  readonly countOnThreadAfterMs?: number;
}

/** {@link SqliteStoreOptions} with every default applied. */
export interface ResolvedSqliteStoreOptions {
  readonly directory: string;
  readonly file: string;
  readonly logger: Logger | undefined;
  readonly busyTimeoutMs: number;
  readonly countOnThreadAfterMs: number;
}

/**
 * Applies the defaults of {@link SqliteStoreOptions}.
 *
 * @param options - what the caller passed.
 * @returns the options in effect.
 */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  return {
    directory: options.path,
    file: join(options.path, SQLITE_STORE_FILE_NAME),
    logger: options.logger?.child({ component: 'store.sqlite' }),
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    countOnThreadAfterMs: options.countOnThreadAfterMs ?? 20,
  };
}
