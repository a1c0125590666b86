/**
 * A consistent cut of a store: every logical table read inside one read transaction, so the snapshot holds the
 * state of one instant (a batch's consumed messages and its effects are both in it or both not), taken while
 * the runtime goes on committing.
 */
import type { LogicalTable, SnapshotCutMeta } from './snapshot-format.js';
import type { Row } from './table-file.js';

/** The store kinds a snapshot comes from and restores into. */
export type StoreKind = 'sqlite' | 'postgres';

/** One read transaction of a store, open while a snapshot is written. */
export interface StoreCut {
  readonly storeKind: StoreKind;
  /** The schema version of the store read. */
  readonly schemaVersion: number;
  /** The deployment and the id high-water marks, as of the cut. */
  readonly meta: SnapshotCutMeta;
  /** The rows of one table, in its order, as of the cut. */
  rows(table: LogicalTable): AsyncIterable<Row>;
}

/** Rows between two yields to the event loop while a synchronous driver reads (SQLite). */
export const ROWS_PER_TURN = 1000;

/**
 * SELECT of a table's columns, rows in primary-key order.
 *
 * @param table - the table.
 * @param textCollation - a collation for the text key columns (PostgreSQL: `"C"`, so text sorts by its bytes as
 *   SQLite's default collation does, whatever the database's locale: the same data gives the same files).
 * @returns the statement.
 */
export function selectAll(table: LogicalTable, textCollation?: string): string {
  const kinds = new Map(table.columns);
  const order = table.orderBy
    .split(', ')
    .map((c) =>
      textCollation !== undefined && kinds.get(c) === 'text' ? `${c} COLLATE ${textCollation}` : c,
    )
    .join(', ');
  return `SELECT ${table.columns.map(([name]) => name).join(', ')} FROM ${table.name} ORDER BY ${order}`;
}

/**
 * The next offset of every egress where the store keeps no head: past its last record, or past its retained
 * range when retention deleted every record.
 */
export const DERIVED_EGRESS_HEADS = `
  SELECT egress_id, MAX(next_offset) AS next_offset FROM (
    SELECT egress_id, MAX(record_offset) + 1 AS next_offset FROM egress GROUP BY egress_id
    UNION ALL
    SELECT egress_id, first_offset AS next_offset FROM egress_retention
  ) AS heads GROUP BY egress_id ORDER BY egress_id`;
