/**
 * The cut of a PostgreSQL store: one `REPEATABLE READ READ ONLY` transaction on a session of its own, every table
 * read through a cursor. It takes no lock the runtimes need, so every process of the cluster goes on committing.
 */
import { SnapshotError } from '../errors.js';
import { ID_COUNTERS, PG_META_KEYS } from '../store/postgres/migrations.js';
import { createSql, type Sql, type TxSql } from '../store/postgres/sql.js';
import type { LogicalTable } from './snapshot-format.js';
import { Pacer, ROWS_PER_PAGE, selectAll, type StoreCut } from './store-cut.js';
import type { Row } from './table-file.js';

/** The `application_name` of snapshot and restore sessions (peers never take them for stalled runtimes). */
export const SNAPSHOT_APPLICATION_NAME = 'statehouse-snapshot';

/**
 * A client for snapshot work: one session, no idle-in-transaction limit (a cut may wait on a slow disk between
 * cursor pages), connect timeout 10 s.
 *
 * @param url - the store's URL.
 * @returns the client; end it with `sql.end()`.
 */
export function snapshotSql(url: string): Sql {
  return createSql({
    url,
    max: 1,
    connectTimeoutMs: 10_000,
    idleInTransactionMs: 0,
    applicationName: SNAPSHOT_APPLICATION_NAME,
  });
}

async function readCutMeta(tx: TxSql, where: string): Promise<StoreCut['meta'] & { schemaVersion: number }> {
  const meta = new Map(
    (await tx<{ key: string; value: string }[]>`SELECT key, value FROM meta`).map((r) => [r.key, r.value]),
  );
  const keyGroups = Number(meta.get(PG_META_KEYS.keyGroups));
  const hash = meta.get(PG_META_KEYS.hash);
  if (!Number.isInteger(keyGroups) || hash === undefined)
    throw new SnapshotError(
      'ERR_SNAPSHOT_NOT_FOUND',
      `${where} holds no Statehouse store (no key groups in meta).`,
    );
  const counters = new Map(
    (await tx<{ name: string; last_value: number }[]>`SELECT name, last_value FROM id_counters`).map((r) => [
      r.name,
      r.last_value,
    ]),
  );
  const [maxes] = await tx<{ seq: number | null; timer: number | null }[]>`
    SELECT (SELECT MAX(seq) FROM messages) AS seq, (SELECT MAX(id) FROM timers) AS timer`;
  return {
    schemaVersion: Number(meta.get(PG_META_KEYS.schemaVersion)),
    keyGroups,
    hash,
    maxMessageSeq: Math.max(counters.get(ID_COUNTERS.messageSeq) ?? 0, maxes?.seq ?? 0),
    maxTimerId: Math.max(counters.get(ID_COUNTERS.timerId) ?? 0, maxes?.timer ?? 0),
  };
}

async function* tableRows(tx: TxSql, table: LogicalTable, pacer: Pacer): AsyncGenerator<Row[]> {
  for await (const rows of tx.unsafe(selectAll(table, '"C"')).values().cursor(ROWS_PER_PAGE)) {
    yield rows;
    await pacer.pause();
  }
}

/**
 * Cuts a PostgreSQL store (running cluster or not).
 *
 * @param url - the store's URL.
 * @param where - the store without password, for messages.
 * @param run - writes the snapshot from the cut.
 * @param pacer - keeps the cut to a share of a CPU.
 * @returns what `run` returns.
 */
export async function withPostgresCut<T>(
  url: string,
  where: string,
  run: (cut: StoreCut) => Promise<T>,
  pacer: Pacer = new Pacer(1),
): Promise<T> {
  const sql = snapshotSql(url);
  try {
    return (await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
      const { schemaVersion, ...meta } = await readCutMeta(tx, where);
      return run({
        storeKind: 'postgres',
        schemaVersion,
        meta,
        rows: (table) => tableRows(tx, table, pacer),
      });
    })) as T;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
