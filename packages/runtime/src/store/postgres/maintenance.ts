/** Small statements of the PostgreSQL store outside commits: egress reader cursors, space and a write probe. */
import type { StoreSpace } from '../store.js';
import { databaseBytes } from './egress-range.js';
import type { Sql } from './sql.js';

/**
 * The next offset recorded for an egress reader; 0 when none was recorded.
 *
 * @see Store.readEgressCursor
 */
export async function readEgressCursor(sql: Sql, egressId: string): Promise<number> {
  const rows = await sql<
    { next_offset: number }[]
  >`SELECT next_offset FROM egress_cursors WHERE egress_id = ${egressId}`;
  return rows[0]?.next_offset ?? 0;
}

/**
 * Records the next offset of an egress reader, replacing the one recorded.
 *
 * @see Store.writeEgressCursor
 */
export async function writeEgressCursor(sql: Sql, egressId: string, nextOffset: number): Promise<void> {
  await sql`INSERT INTO egress_cursors (egress_id, next_offset) VALUES (${egressId}, ${nextOffset})
    ON CONFLICT (egress_id) DO UPDATE SET next_offset = excluded.next_offset`;
}

/**
 * The size of the database; its server's free space is not known here.
 *
 * @see Store.measureSpace
 */
export async function measureSpace(sql: Sql): Promise<StoreSpace> {
  return {
    storeBytes: await databaseBytes(sql),
    // The server's disk is not visible from here; watch it on the database host.
    freeBytes: undefined,
  };
}

/**
 * Writes one row of `meta`, to learn whether the store takes writes again.
 *
 * @see Store.probeWrite
 */
export async function probeWrite(sql: Sql): Promise<void> {
  await sql`INSERT INTO meta (key, value) VALUES ('write_probe', ${String(Date.now())})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
}
