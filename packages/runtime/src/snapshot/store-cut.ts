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
  /** The rows of one table, in its order, as of the cut, a page (up to {@link ROWS_PER_PAGE} rows) at a time. */
  rows(table: LogicalTable): AsyncIterable<Row[]>;
}

/** Rows read at once: a page is one cursor fetch (PostgreSQL) or one synchronous run of reads (SQLite). */
export const ROWS_PER_PAGE = 1000;

/**
 * Keeps a snapshot to a share of one CPU: between pages, it sleeps so that its working time is at most `share`
 * of the time elapsed. A runtime that snapshots itself (API, schedule) leaves the rest to its traffic; the CLI
 * works at full speed.
 */
export class Pacer {
  readonly #share: number;
  #since = performance.now();

  /** @param share - in (0, 1]; 1 never sleeps. */
  constructor(share: number) {
    this.#share = share;
  }

  /** Sleeps as long as the share asks for the work done since the last pause. */
  async pause(): Promise<void> {
    if (this.#share >= 1) return;
    const worked = performance.now() - this.#since;
    await new Promise((resolve) => setTimeout(resolve, (worked * (1 - this.#share)) / this.#share));
    this.#since = performance.now();
  }
}

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
