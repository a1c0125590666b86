/**
 * Versioned schema migrations of the SQLite store. The logical schema is shared with the PostgreSQL store, so
 * the DDL sticks to portable SQL (the only SQLite-isms are `INTEGER PRIMARY KEY`, `AUTOINCREMENT`, `BLOB` and
 * `WITHOUT ROWID`, each with a direct PostgreSQL equivalent: BIGINT, identity, BYTEA, a plain table).
 */
import type BetterSqlite3 from 'better-sqlite3';

import { planMigrations } from '../common/migration-plan.js';

/** One step of the schema: applied once, in order, inside the transaction that opens the store. */
export interface SqliteMigration {
  /** The schema version this migration produces; versions are 1, 2, 3, … without gaps. */
  readonly version: number;
  /** What it changes, for logs. */
  readonly description: string;
  /** Applies the change. Runs inside a transaction; throwing rolls every migration of this open back. */
  readonly up: (db: BetterSqlite3.Database) => void;
}

/** Keys of the `meta` table. */
export const META_KEYS = Object.freeze({
  schemaVersion: 'schema_version',
  keyGroups: 'key_groups',
  hash: 'hash',
  /** High-water mark of message seqs, so a seq is never reused after its message and key are gone. */
  maxMessageSeq: 'max_message_seq',
  /** High-water mark of timer ids, for the same reason. */
  maxTimerId: 'max_timer_id',
});

const V1_SCHEMA = `
CREATE TABLE messages (
  seq          INTEGER PRIMARY KEY,
  key_group    INTEGER NOT NULL,
  target_type  TEXT    NOT NULL,
  target_id    TEXT    NOT NULL,
  caller_type  TEXT,
  caller_id    TEXT,
  typename     TEXT    NOT NULL,
  value        BLOB    NOT NULL,
  enqueued_at  INTEGER NOT NULL
);
CREATE INDEX messages_by_key_group ON messages (key_group, seq);

CREATE TABLE state (
  function_type TEXT    NOT NULL,
  id            TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  key_group     INTEGER NOT NULL,
  typename      TEXT    NOT NULL,
  value         BLOB    NOT NULL,
  expires_at    INTEGER,
  PRIMARY KEY (function_type, id, name)
) WITHOUT ROWID;
CREATE INDEX state_by_expiry ON state (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE function_specs (
  function_type   TEXT    NOT NULL,
  state_name      TEXT    NOT NULL,
  typename        TEXT    NOT NULL,
  expire_mode     TEXT    NOT NULL,
  expire_after_ms INTEGER NOT NULL,
  PRIMARY KEY (function_type, state_name)
) WITHOUT ROWID;

CREATE TABLE timers (
  id           INTEGER PRIMARY KEY,
  key_group    INTEGER NOT NULL,
  fire_at      INTEGER NOT NULL,
  sender_type  TEXT    NOT NULL,
  sender_id    TEXT    NOT NULL,
  token        TEXT,
  target_type  TEXT    NOT NULL,
  target_id    TEXT    NOT NULL,
  typename     TEXT    NOT NULL,
  value        BLOB    NOT NULL
);
CREATE INDEX timers_by_fire_at ON timers (fire_at, id);
CREATE UNIQUE INDEX timers_by_sender_token ON timers (sender_type, sender_id, token) WHERE token IS NOT NULL;

CREATE TABLE egress (
  egress_id     TEXT    NOT NULL,
  record_offset INTEGER NOT NULL,
  producer_type TEXT    NOT NULL,
  producer_id   TEXT    NOT NULL,
  typename      TEXT    NOT NULL,
  value         BLOB    NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (egress_id, record_offset)
) WITHOUT ROWID;

CREATE TABLE ingress_keys (
  key        TEXT    NOT NULL PRIMARY KEY,
  seq        INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ingress_keys_by_created_at ON ingress_keys (created_at);

CREATE TABLE dead_letters (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  key_group    INTEGER,
  address_type TEXT    NOT NULL,
  address_id   TEXT    NOT NULL,
  messages     TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL
);
`;

/** Every migration, oldest first. Never edit a released one: append a new version instead. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = Object.freeze([
  {
    version: 1,
    description:
      'initial schema: messages, state, function_specs, timers, egress, ingress_keys, dead_letters',
    up: (db: BetterSqlite3.Database): void => {
      db.exec(V1_SCHEMA);
    },
  },
  {
    version: 2,
    description: 'egress_cursors: delivery position of each shipped (HTTP) egress',
    up: (db) => {
      db.exec(`CREATE TABLE egress_cursors (
        egress_id   TEXT    NOT NULL PRIMARY KEY,
        next_offset INTEGER NOT NULL
      ) STRICT`);
    },
  },
  {
    version: 3,
    description:
      'drop messages_by_key_group: one process owns every key group, and the index doubled the cost of every inbox insert and delete',
    up: (db) => {
      db.exec('DROP INDEX IF EXISTS messages_by_key_group');
    },
  },
  {
    version: 4,
    description: 'egress_retention: the first offset each egress keeps after retention deleted older records',
    up: (db) => {
      db.exec(`CREATE TABLE egress_retention (
        egress_id    TEXT    NOT NULL PRIMARY KEY,
        first_offset INTEGER NOT NULL
      ) STRICT`);
    },
  },
  {
    version: 5,
    description:
      "messages_by_target: each address's pending messages in seq order, so the backlog is paged in per address instead of held in memory",
    up: (db) => {
      db.exec('CREATE INDEX messages_by_target ON messages (target_type, target_id, seq)');
    },
  },
  {
    version: 6,
    description:
      'connector_positions: where each ingress connector resumes reading each part of its sources, committed with the messages it produced (exactly-once ingestion)',
    up: (db) => {
      db.exec(`CREATE TABLE connector_positions (
        connector TEXT NOT NULL,
        source    TEXT NOT NULL,
        part      TEXT NOT NULL,
        position  TEXT NOT NULL,
        PRIMARY KEY (connector, source, part)
      ) WITHOUT ROWID, STRICT`);
    },
  },
  {
    version: 7,
    description:
      'traceparent on messages, timers and egress: the W3C trace context of the span that produced each row, so traces continue across restarts and backlogs (null when tracing is off)',
    up: (db) => {
      db.exec(`ALTER TABLE messages ADD COLUMN traceparent TEXT;
        ALTER TABLE timers ADD COLUMN traceparent TEXT;
        ALTER TABLE egress ADD COLUMN traceparent TEXT;`);
    },
  },
]);

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION: number = SQLITE_MIGRATIONS.length;

/**
 * Brings the schema up to {@link SQLITE_SCHEMA_VERSION}. Call inside a transaction.
 *
 * @param db - the open database.
 * @param file - the database file, for error messages.
 * @param migrations - the migrations to apply (tests pass their own list).
 * @returns the version found and the version now in place.
 * @throws {@link StoreError} `ERR_STORE_SCHEMA_TOO_NEW` when the store was written by a newer Statehouse,
 *   `ERR_STORE_OPEN_FAILED` when the migration list is out of order.
 */
export function migrateSchema(
  db: BetterSqlite3.Database,
  file: string,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): { from: number; to: number } {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)');
  const recorded = db
    .prepare<[string], string>('SELECT value FROM meta WHERE key = ?')
    .pluck()
    .get(META_KEYS.schemaVersion);
  const { from, to, pending } = planMigrations(recorded, migrations, { where: file, kind: 'data directory' });
  const setVersion = db.prepare<[string, string]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  for (const migration of pending) {
    migration.up(db);
    setVersion.run(META_KEYS.schemaVersion, String(migration.version));
  }
  return { from, to };
}
