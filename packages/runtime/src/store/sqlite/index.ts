/** The embedded SQLite store. */
export { openSqliteStore, SQLITE_STORE_FILE_NAME, SqliteStore } from './sqlite-store.js';
export type { ResolvedSqliteStoreOptions, SqlitePragma, SqliteStoreOptions } from './sqlite-store.js';
export { SQLITE_SCHEMA_VERSION } from './migrations.js';
