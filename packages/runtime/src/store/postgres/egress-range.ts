/**
 * The retained range of each egress in the PostgreSQL store (see the SQLite twin): `egress_heads` holds the next
 * offset, `egress_retention` the first kept one. Trims delete in bounded batches, so autovacuum keeps up and no
 * transaction holds many row locks; they never touch `egress_heads`, so they never wait for commits.
 */
import type { EgressRange } from '../store.js';
import type { Sql } from './sql.js';

/** The retained range of `egressId`. */
export async function readEgressRange(sql: Sql, egressId: string): Promise<EgressRange> {
  const [row] = await sql<{ first_offset: number | null; next_offset: number | null }[]>`
    SELECT (SELECT first_offset FROM egress_retention WHERE egress_id = ${egressId}) AS first_offset,
           (SELECT next_offset FROM egress_heads WHERE egress_id = ${egressId}) AS next_offset`;
  const firstOffset = row?.first_offset ?? 0;
  const nextOffset = Math.max(firstOffset, row?.next_offset ?? 0);
  const [oldest] = await sql<{ created_at: number }[]>`
    SELECT created_at FROM egress WHERE egress_id = ${egressId} AND record_offset >= ${firstOffset}
    ORDER BY record_offset LIMIT 1`;
  return { firstOffset, nextOffset, oldestCreatedAt: oldest?.created_at };
}

/** The first kept offset created at or after `createdAt`, or the next offset. */
export async function findEgressOffsetSince(sql: Sql, egressId: string, createdAt: number): Promise<number> {
  const range = await readEgressRange(sql, egressId);
  const [row] = await sql<{ record_offset: number }[]>`
    SELECT record_offset FROM egress
    WHERE egress_id = ${egressId} AND record_offset >= ${range.firstOffset} AND created_at >= ${createdAt}
    ORDER BY record_offset LIMIT 1`;
  return row?.record_offset ?? range.nextOffset;
}

/** Deletes at most `maxRows` records below `beforeOffset` and moves the retained range's start. */
export async function trimEgress(
  sql: Sql,
  egressId: string,
  beforeOffset: number,
  maxRows: number,
): Promise<number> {
  const { firstOffset, nextOffset } = await readEgressRange(sql, egressId);
  const upTo = Math.min(beforeOffset, nextOffset, firstOffset + maxRows);
  if (upTo <= firstOffset) return 0;
  return sql.begin(async (tx) => {
    const deleted = await tx`DELETE FROM egress WHERE egress_id = ${egressId} AND record_offset < ${upTo}`;
    await tx`
      INSERT INTO egress_retention (egress_id, first_offset) VALUES (${egressId}, ${upTo})
      ON CONFLICT (egress_id) DO UPDATE SET first_offset = GREATEST(egress_retention.first_offset, excluded.first_offset)`;
    return deleted.count;
  });
}

/** Bytes the database takes. */
export async function databaseBytes(sql: Sql): Promise<number> {
  const [row] = await sql<{ bytes: number }[]>`SELECT pg_database_size(current_database()) AS bytes`;
  return row?.bytes ?? 0;
}
