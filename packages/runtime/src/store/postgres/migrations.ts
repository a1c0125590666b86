/**
 * Versioned schema migrations of the PostgreSQL store. The logical schema is the SQLite store's (same tables,
 * columns and meaning) plus the cluster tables. Kept portable to distributed PostgreSQL (Citus): every per-address
 * table carries `key_group`, and no trigger or function reaches across key groups.
 */
import { planMigrations } from '../common/migration-plan.js';
import { checkRecordedMeta } from '../common/open-checks.js';
import type { TxSql } from './sql.js';

/** One step of the schema: applied once, in order, inside the transaction that opens the store. */
export interface PostgresMigration {
  /** The schema version this migration produces; versions are 1, 2, 3, … without gaps. */
  readonly version: number;
  /** What it changes, for logs. */
  readonly description: string;
  /** Applies the change. Runs inside a transaction; throwing rolls every migration of this open back. */
  readonly up: (tx: TxSql) => Promise<void>;
}

/** Keys of the `meta` table. */
export const PG_META_KEYS = Object.freeze({
  schemaVersion: 'schema_version',
  keyGroups: 'key_groups',
  hash: 'hash',
});

/** Names of the rows of `id_counters`: the highest id reserved so far, by any process. */
export const ID_COUNTERS = Object.freeze({
  messageSeq: 'message_seq',
  timerId: 'timer_id',
});

/**
 * Key of the transaction-level advisory lock that serializes migrations, so processes starting together on a
 * fresh database do not race to create the schema. (ASCII "StHsMigr".)
 */
export const MIGRATION_LOCK_KEY = '6013511062503647090';

const V1_SCHEMA = `
CREATE TABLE messages (
  seq          bigint  NOT NULL PRIMARY KEY,
  key_group    integer NOT NULL,
  target_type  text    NOT NULL,
  target_id    text    NOT NULL,
  caller_type  text,
  caller_id    text,
  typename     text    NOT NULL,
  value        bytea   NOT NULL,
  enqueued_at  bigint  NOT NULL
);
CREATE INDEX messages_by_key_group ON messages (key_group, seq);

CREATE TABLE state (
  function_type text    NOT NULL,
  id            text    NOT NULL,
  name          text    NOT NULL,
  key_group     integer NOT NULL,
  typename      text    NOT NULL,
  value         bytea   NOT NULL,
  expires_at    bigint,
  PRIMARY KEY (function_type, id, name)
);
CREATE INDEX state_by_expiry ON state (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE function_specs (
  function_type   text    NOT NULL,
  state_name      text    NOT NULL,
  typename        text    NOT NULL,
  expire_mode     text    NOT NULL,
  expire_after_ms bigint  NOT NULL,
  PRIMARY KEY (function_type, state_name)
);

CREATE TABLE timers (
  id           bigint  NOT NULL PRIMARY KEY,
  key_group    integer NOT NULL,
  fire_at      bigint  NOT NULL,
  sender_type  text    NOT NULL,
  sender_id    text    NOT NULL,
  token        text,
  target_type  text    NOT NULL,
  target_id    text    NOT NULL,
  typename     text    NOT NULL,
  value        bytea   NOT NULL
);
CREATE INDEX timers_by_key_group ON timers (key_group, fire_at, id);
CREATE UNIQUE INDEX timers_by_sender_token ON timers (sender_type, sender_id, token) WHERE token IS NOT NULL;

CREATE TABLE egress (
  egress_id     text    NOT NULL,
  record_offset bigint  NOT NULL,
  producer_type text    NOT NULL,
  producer_id   text    NOT NULL,
  typename      text    NOT NULL,
  value         bytea   NOT NULL,
  created_at    bigint  NOT NULL,
  PRIMARY KEY (egress_id, record_offset)
);

-- Next offset of each egress id. Fenced commits take offsets from here (row lock until commit), so offsets
-- are contiguous per egress across all processes. Updated in place: leave room for HOT updates.
CREATE TABLE egress_heads (
  egress_id   text   NOT NULL PRIMARY KEY,
  next_offset bigint NOT NULL
) WITH (fillfactor = 50);

CREATE TABLE ingress_keys (
  key        text   NOT NULL PRIMARY KEY,
  seq        bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX ingress_keys_by_created_at ON ingress_keys (created_at);

CREATE TABLE dead_letters (
  id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key_group    integer,
  address_type text    NOT NULL,
  address_id   text    NOT NULL,
  messages     text    NOT NULL,
  reason       text    NOT NULL,
  created_at   bigint  NOT NULL
);

-- Highest message seq and timer id reserved so far (blocks for cluster nodes, or the highest committed in
-- single-process mode), so ids never go backwards after their rows are gone.
CREATE TABLE id_counters (
  name       text   NOT NULL PRIMARY KEY,
  last_value bigint NOT NULL
) WITH (fillfactor = 50);
INSERT INTO id_counters (name, last_value) VALUES ('${ID_COUNTERS.messageSeq}', 0), ('${ID_COUNTERS.timerId}', 0);

CREATE TABLE members (
  node_id      text   NOT NULL PRIMARY KEY,
  advertise    text   NOT NULL,
  heartbeat_at bigint NOT NULL,
  started_at   bigint NOT NULL
) WITH (fillfactor = 50);

CREATE TABLE leases (
  key_group  integer NOT NULL PRIMARY KEY,
  owner      text,
  epoch      bigint  NOT NULL,
  expires_at bigint  NOT NULL
) WITH (fillfactor = 50);
`;

/** Every migration, oldest first. Never edit a released one: append a new version instead. */
export const PG_MIGRATIONS: readonly PostgresMigration[] = Object.freeze([
  {
    version: 1,
    description:
      'initial schema: messages, state, function_specs, timers, egress, egress_heads, ingress_keys, ' +
      'dead_letters, id_counters, members, leases',
    up: async (tx: TxSql): Promise<void> => {
      await tx.unsafe(V1_SCHEMA).simple();
    },
  },
  {
    version: 2,
    description: 'egress_cursors: delivery position of each shipped (HTTP) egress',
    up: async (tx: TxSql): Promise<void> => {
      await tx
        .unsafe(
          'CREATE TABLE egress_cursors (egress_id text NOT NULL PRIMARY KEY, next_offset bigint NOT NULL)',
        )
        .simple();
    },
  },
  {
    version: 3,
    description:
      'members keyed by incarnation (one process start): leases and fences name incarnations, node ids steer placement',
    up: async (tx: TxSql): Promise<void> => {
      // Rows of older versions become incarnations named like their node, which matches their lease owners.
      await tx
        .unsafe(
          `ALTER TABLE members ADD COLUMN incarnation text;
           UPDATE members SET incarnation = node_id;
           ALTER TABLE members ALTER COLUMN incarnation SET NOT NULL;
           ALTER TABLE members DROP CONSTRAINT members_pkey;
           ALTER TABLE members ADD PRIMARY KEY (incarnation);
           CREATE INDEX members_by_node_id ON members (node_id);`,
        )
        .simple();
    },
  },
  {
    version: 4,
    description: 'egress_retention: the first offset each egress keeps after retention deleted older records',
    up: async (tx: TxSql): Promise<void> => {
      await tx
        .unsafe(
          'CREATE TABLE egress_retention (egress_id text NOT NULL PRIMARY KEY, first_offset bigint NOT NULL)',
        )
        .simple();
    },
  },
  {
    version: 5,
    description:
      "messages_by_target: each address's pending messages in seq order, so the backlog is paged in per address instead of held in memory",
    up: async (tx: TxSql): Promise<void> => {
      await tx.unsafe('CREATE INDEX messages_by_target ON messages (target_type, target_id, seq)').simple();
    },
  },
  {
    version: 6,
    description:
      'connector_positions: where each ingress connector resumes reading each part of its sources, committed with the messages it produced (exactly-once ingestion)',
    up: async (tx: TxSql): Promise<void> => {
      // Updated in place by every commit of a connector: leave room for HOT updates.
      await tx
        .unsafe(
          `CREATE TABLE connector_positions (
             connector text NOT NULL,
             source    text NOT NULL,
             part      text NOT NULL,
             position  text NOT NULL,
             PRIMARY KEY (connector, source, part)
           ) WITH (fillfactor = 50)`,
        )
        .simple();
    },
  },
  {
    version: 7,
    description:
      'traceparent on messages, timers and egress: the W3C trace context of the span that produced each row, so traces continue across restarts and backlogs (null when tracing is off)',
    up: async (tx: TxSql): Promise<void> => {
      // Nullable without a default: adding the columns rewrites no row.
      await tx
        .unsafe(
          `ALTER TABLE messages ADD COLUMN traceparent text;
           ALTER TABLE timers ADD COLUMN traceparent text;
           ALTER TABLE egress ADD COLUMN traceparent text;`,
        )
        .simple();
    },
  },
]);

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS.length;

async function readMeta(tx: TxSql, key: string): Promise<string | undefined> {
  const rows = await tx<{ value: string }[]>`SELECT value FROM meta WHERE key = ${key}`;
  return rows[0]?.value;
}

/**
 * Brings the schema up to {@link PG_SCHEMA_VERSION}. Call inside a transaction: it takes an advisory lock
 * that is held until that transaction ends, so concurrent openers migrate one after the other.
 *
 * @param tx - the open transaction.
 * @param where - the store, for error messages (a URL without password).
 * @param migrations - the migrations to apply (tests pass their own list).
 * @returns the version found and the version now in place.
 * @throws {@link StoreError} `ERR_STORE_SCHEMA_TOO_NEW` when the store was written by a newer Statehouse,
 *   `ERR_STORE_OPEN_FAILED` when the migration list is out of order.
 */
export async function migrateSchema(
  tx: TxSql,
  where: string,
  migrations: readonly PostgresMigration[] = PG_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`;
  await tx`CREATE TABLE IF NOT EXISTS meta (key text NOT NULL PRIMARY KEY, value text NOT NULL)`;
  const { from, to, pending } = planMigrations(await readMeta(tx, PG_META_KEYS.schemaVersion), migrations, {
    where,
    kind: 'database',
  });
  for (const migration of pending) {
    await migration.up(tx);
    await tx`
      INSERT INTO meta (key, value) VALUES (${PG_META_KEYS.schemaVersion}, ${String(migration.version)})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  }
  return { from, to };
}

/**
 * Records `expected` in a new store, or checks it against an existing one. Runs inside the open transaction,
 * after {@link migrateSchema} (whose lock it relies on).
 *
 * @param tx - the open transaction.
 * @param where - the store, for error messages.
 * @param expected - the configured key groups and hash.
 * @throws {@link StoreError} `ERR_STORE_META_MISMATCH` naming both the stored and the configured values.
 */
export async function checkMeta(
  tx: TxSql,
  where: string,
  expected: { keyGroups: number; hash: string },
): Promise<void> {
  const recorded = {
    keyGroups: await readMeta(tx, PG_META_KEYS.keyGroups),
    hash: await readMeta(tx, PG_META_KEYS.hash),
  };
  if (checkRecordedMeta(recorded, expected, { where, kind: 'database' })) return;
  await tx`
    INSERT INTO meta (key, value)
    VALUES (${PG_META_KEYS.keyGroups}, ${String(expected.keyGroups)}), (${PG_META_KEYS.hash}, ${expected.hash})`;
}
