/** What a restore hands to a store kind's loader, and the row counting both loaders share. */
import { SnapshotError } from '../errors.js';
import type { LogicalTable, SnapshotCutMeta } from './snapshot-format.js';
import type { Row } from './table-file.js';

/** The rows of one table to load, and how many the manifest says there are. */
export interface TableLoad {
  readonly table: LogicalTable;
  readonly expectedRows: number;
  readonly rows: () => AsyncIterable<Row>;
}

/** Everything a loader writes, in one transaction. */
export interface SnapshotLoad {
  readonly meta: SnapshotCutMeta;
  readonly tables: readonly TableLoad[];
  /** Replace what the target holds. */
  readonly force: boolean;
}

/** Rows per insert statement (PostgreSQL) or between turns of the event loop (SQLite). */
export const ROWS_PER_INSERT = 500;

/**
 * Reads a table's rows in chunks, then checks the count against the manifest.
 *
 * @param load - the table.
 * @param write - writes one chunk.
 * @returns the rows written.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_CORRUPT` when the file holds another number of rows.
 */
export async function loadInChunks(
  load: TableLoad,
  write: (rows: Row[]) => Promise<void> | void,
): Promise<number> {
  let chunk: Row[] = [];
  let count = 0;
  for await (const row of load.rows()) {
    chunk.push(row);
    if (chunk.length === ROWS_PER_INSERT) {
      await write(chunk);
      count += chunk.length;
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(chunk);
  count += chunk.length;
  if (count !== load.expectedRows)
    throw new SnapshotError(
      'ERR_SNAPSHOT_CORRUPT',
      `Table ${load.table.name} holds ${count} rows; the manifest says ${load.expectedRows}. Nothing was restored.`,
    );
  return count;
}

/** The target's name of a table's columns, for an INSERT. */
export function columnList(table: LogicalTable): string {
  return table.columns.map(([name]) => name).join(', ');
}
