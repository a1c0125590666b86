/**
 * Loading a snapshot into a PostgreSQL database, in one transaction: the schema is created or migrated as a
 * runtime would, then every table's rows are inserted, then the id counters are raised past the snapshot's marks
 * (never lowered: a seq or timer id is never reused). Membership and leases are left as they are, so epochs only
 * grow and a process of an earlier deployment can never commit into the restored data.
 */
import { SnapshotError } from '../errors.js';
import { RUNTIME_OPTION_DEFAULTS } from '../runtime-options.js';
import { ID_COUNTERS, migrateSchema, PG_META_KEYS } from '../store/postgres/migrations.js';
import { nowMs, type TxSql } from '../store/postgres/sql.js';
import type { LogicalTable } from './snapshot-format.js';
import { snapshotSql } from './postgres-cut.js';
import { columnList, loadInChunks, type SnapshotLoad } from './snapshot-load.js';
import type { Row } from './table-file.js';

/** A member that heartbeat within this long is taken as running. */
const LIVE_MEMBER_MS = 3 * RUNTIME_OPTION_DEFAULTS.leaseMs;

/**
 * Refuses a database some runtime uses.
 *
 * @param tx - a transaction on it.
 * @param where - the URL without password, for messages.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_TARGET_IN_USE` when a member heartbeat recently.
 */
export async function checkNoLiveMembers(tx: TxSql, where: string): Promise<void> {
  const [live] = await tx<{ n: number }[]>`
    SELECT count(*)::int AS n FROM members WHERE heartbeat_at > ${nowMs(tx)} - ${LIVE_MEMBER_MS}`;
  if ((live?.n ?? 0) > 0)
    throw new SnapshotError(
      'ERR_SNAPSHOT_TARGET_IN_USE',
      `${live!.n} cluster member(s) heartbeat in ${where} within the last ${LIVE_MEMBER_MS / 1000} s ` +
        '(statehouse cluster status). Stop every runtime on it first.',
    );
}

async function checkTarget(tx: TxSql, where: string, load: SnapshotLoad): Promise<void> {
  await checkNoLiveMembers(tx, where);
  const names = load.tables.map((t) => t.table.name);
  const [held] = await tx<{ any: boolean }[]>`
    SELECT ${tx.unsafe(names.map((n) => `EXISTS (SELECT 1 FROM ${n})`).join(' OR '))} AS any`;
  if (held?.any !== true) return;
  if (!load.force)
    throw new SnapshotError(
      'ERR_SNAPSHOT_TARGET_NOT_EMPTY',
      `The database ${where} already holds Statehouse data. Pass --force to replace it, or restore into an empty database.`,
    );
  await tx.unsafe(`TRUNCATE ${names.join(', ')}`);
}

async function insertChunk(tx: TxSql, table: LogicalTable, rows: Row[]): Promise<void> {
  const width = table.columns.length;
  const values = rows.map((_, r) => `(${table.columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`);
  // Dead letters keep their ids (an identity column takes given values only when told to).
  const overriding = table.name === 'dead_letters' ? ' OVERRIDING SYSTEM VALUE' : '';
  await tx.unsafe(
    `INSERT INTO ${table.name} (${columnList(table)})${overriding} VALUES ${values.join(', ')}`,
    rows.flat() as never[],
  );
}

async function setMarks(tx: TxSql, load: SnapshotLoad): Promise<void> {
  for (const [key, value] of [
    [PG_META_KEYS.keyGroups, String(load.meta.keyGroups)],
    [PG_META_KEYS.hash, load.meta.hash],
  ] as const)
    await tx`INSERT INTO meta (key, value) VALUES (${key}, ${value})
             ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  for (const [name, value] of [
    [ID_COUNTERS.messageSeq, load.meta.maxMessageSeq],
    [ID_COUNTERS.timerId, load.meta.maxTimerId],
  ] as const)
    await tx`UPDATE id_counters SET last_value = GREATEST(last_value, ${value}) WHERE name = ${name}`;
  await tx`SELECT setval(pg_get_serial_sequence('dead_letters', 'id'), GREATEST((SELECT MAX(id) FROM dead_letters), 1))`;
}

/**
 * Loads a snapshot into a PostgreSQL database.
 *
 * @param url - the target database.
 * @param where - the URL without password, for messages.
 * @param load - the snapshot's rows and meta.
 * @returns rows loaded by table.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_TARGET_IN_USE` (a member heartbeats), `ERR_SNAPSHOT_TARGET_NOT_EMPTY`,
 *   `ERR_SNAPSHOT_CORRUPT`; the database is unchanged after any of them.
 */
export async function loadIntoPostgres(
  url: string,
  where: string,
  load: SnapshotLoad,
): Promise<Record<string, number>> {
  const sql = snapshotSql(url);
  try {
    return await sql.begin(async (tx): Promise<Record<string, number>> => {
      await migrateSchema(tx, where);
      await checkTarget(tx, where, load);
      const rows: Record<string, number> = {};
      for (const tableLoad of load.tables)
        rows[tableLoad.table.name] = await loadInChunks(tableLoad, (chunk) =>
          insertChunk(tx, tableLoad.table, chunk),
        );
      await setMarks(tx, load);
      return rows;
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
