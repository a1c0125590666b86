/** The PostgreSQL store (cluster mode). */
export { openPostgresStore, PostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions, ResolvedPostgresStoreOptions } from './postgres-store.js';
export { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations.js';
export type { PostgresMigration } from './migrations.js';
export { KEY_GROUPS_CHANNEL } from './notify.js';
export { redactUrl } from './postgres-errors.js';
