/**
 * State out: every address of a function type (or of all types) with its state values, one JSON line per address,
 * read from one consistent cut of the store (the same read a snapshot takes).
 */
import type { SnapshotSource } from './create-snapshot.js';
import { withCut } from './cut-files.js';
import { SNAPSHOT_TABLES } from './snapshot-format.js';
import { stateLineOf, type StateRow } from './state-line.js';
import type { Row } from './table-file.js';

const STATE_TABLE = SNAPSHOT_TABLES.find((t) => t.name === 'state')!;

async function* rowsOf(pages: AsyncIterable<Row[]>): AsyncGenerator<Row> {
  for await (const page of pages) yield* page;
}

/** Options of {@link exportState}. */
export interface ExportStateOptions {
  readonly source: SnapshotSource;
  /** Only this function type (`namespace/name`). @default every type */
  readonly functionType?: string | undefined;
  /** The share of a CPU the read may take (see `Pacer`). @default 1 */
  readonly cpuShare?: number;
  /** Takes each line (without newline), in address order; awaited. */
  readonly write: (line: string) => Promise<void> | void;
}

/**
 * Exports state.
 *
 * @param options - the store, the function type and where lines go.
 * @returns the number of addresses exported.
 */
export async function exportState(options: ExportStateOptions): Promise<number> {
  return withCut(
    options.source,
    async (cut) => {
      let addresses = 0;
      let current: { type: string; id: string } | undefined;
      let rows: StateRow[] = [];
      const flush = async (): Promise<void> => {
        if (current === undefined) return;
        await options.write(stateLineOf(current, rows));
        addresses += 1;
      };
      // Columns: function_type, id, name, key_group, typename, value, expires_at; ordered by address.
      for await (const [type, id, name, , typename, value, expiresAt] of rowsOf(cut.rows(STATE_TABLE))) {
        if (options.functionType !== undefined && type !== options.functionType) continue;
        if (current === undefined || current.type !== type || current.id !== id) {
          await flush();
          current = { type: type as string, id: id as string };
          rows = [];
        }
        rows.push({
          name: name as string,
          typename: typename as string,
          value: value as Uint8Array,
          expiresAt: expiresAt === null ? null : Number(expiresAt),
        });
      }
      await flush();
      return addresses;
    },
    options.cpuShare,
  );
}
