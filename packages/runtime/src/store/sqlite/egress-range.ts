/**
 * The retained range of each egress in the SQLite store: retention deletes the oldest records and records in
 * `egress_retention` where the kept range starts, so offsets are never reused and readers below the range
 * can be told so.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { EgressRange } from '../store.js';

/** Egress range reads and trims on one connection (statements prepared once). */
export class SqliteEgressRanges {
  readonly #first: BetterSqlite3.Statement<[string], number>;
  readonly #allFirst: BetterSqlite3.Statement<[], { egress_id: string; first_offset: number }>;
  readonly #max: BetterSqlite3.Statement<[string], number | null>;
  readonly #oldest: BetterSqlite3.Statement<[string, number], number>;
  readonly #since: BetterSqlite3.Statement<[string, number, number], number>;
  readonly #delete: BetterSqlite3.Statement<[string, number]>;
  readonly #setFirst: BetterSqlite3.Statement<[string, number]>;
  readonly #trim: BetterSqlite3.Transaction<(egressId: string, upTo: number) => number>;

  constructor(db: BetterSqlite3.Database) {
    this.#first = db
      .prepare<[string], number>('SELECT first_offset FROM egress_retention WHERE egress_id = ?')
      .pluck();
    this.#allFirst = db.prepare('SELECT egress_id, first_offset FROM egress_retention');
    this.#max = db
      .prepare<[string], number | null>('SELECT MAX(record_offset) FROM egress WHERE egress_id = ?')
      .pluck();
    this.#oldest = db
      .prepare<[string, number], number>(
        'SELECT created_at FROM egress WHERE egress_id = ? AND record_offset >= ? ORDER BY record_offset LIMIT 1',
      )
      .pluck();
    // Offset order is creation order per egress, so the scan stops at the first young record.
    this.#since = db
      .prepare<[string, number, number], number>(
        `SELECT record_offset FROM egress WHERE egress_id = ? AND record_offset >= ? AND created_at >= ?
         ORDER BY record_offset LIMIT 1`,
      )
      .pluck();
    this.#delete = db.prepare('DELETE FROM egress WHERE egress_id = ? AND record_offset < ?');
    this.#setFirst = db.prepare(
      `INSERT INTO egress_retention (egress_id, first_offset) VALUES (?, ?)
       ON CONFLICT (egress_id) DO UPDATE SET first_offset = MAX(first_offset, excluded.first_offset)`,
    );
    this.#trim = db.transaction((egressId: string, upTo: number) => {
      const deleted = this.#delete.run(egressId, upTo).changes;
      this.#setFirst.run(egressId, upTo);
      return deleted;
    });
  }

  /** First kept offset of every egress that was ever trimmed. */
  firstOffsets(): Map<string, number> {
    return new Map(this.#allFirst.all().map((r) => [r.egress_id, r.first_offset]));
  }

  range(egressId: string): EgressRange {
    const firstOffset = this.#first.get(egressId) ?? 0;
    const max = this.#max.get(egressId) ?? null;
    const nextOffset = Math.max(firstOffset, max === null ? 0 : max + 1);
    return { firstOffset, nextOffset, oldestCreatedAt: this.#oldest.get(egressId, firstOffset) };
  }

  offsetSince(egressId: string, createdAt: number): number {
    const range = this.range(egressId);
    return this.#since.get(egressId, range.firstOffset, createdAt) ?? range.nextOffset;
  }

  trim(egressId: string, beforeOffset: number, maxRows: number): number {
    const { firstOffset, nextOffset } = this.range(egressId);
    const upTo = Math.min(beforeOffset, nextOffset, firstOffset + maxRows);
    if (upTo <= firstOffset) return 0;
    return this.#trim.immediate(egressId, upTo);
  }
}
