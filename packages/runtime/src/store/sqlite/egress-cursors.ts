/** Where each egress reader has got to in the SQLite store (`egress_cursors`, one row per egress). */
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The next offset recorded for an egress reader; 0 when none was recorded.
 *
 * @see Store.readEgressCursor
 */
export function readEgressCursor(db: BetterSqlite3.Database, egressId: string): number {
  const row = db.prepare('SELECT next_offset FROM egress_cursors WHERE egress_id = ?').get(egressId) as
    { next_offset: number } | undefined;
  return row?.next_offset ?? 0;
}

/**
 * Records the next offset of an egress reader, replacing the one recorded.
 *
 * @see Store.writeEgressCursor
 */
export function writeEgressCursor(db: BetterSqlite3.Database, egressId: string, nextOffset: number): void {
  db.prepare(
    'INSERT INTO egress_cursors (egress_id, next_offset) VALUES (?, ?) ON CONFLICT (egress_id) DO UPDATE SET next_offset = excluded.next_offset',
  ).run(egressId, nextOffset);
}
