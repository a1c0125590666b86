/** Which snapshot source a runtime's store is: its SQLite file, or its PostgreSQL database. */
import { SnapshotError } from '../errors.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import {
  createSnapshot,
  RUNTIME_SNAPSHOT_CPU_SHARE,
  type SnapshotSource,
  type SnapshotTaken,
} from './create-snapshot.js';

/**
 * The snapshot source of a store a runtime in this process has open.
 *
 * @param store - the runtime's store.
 * @returns its file (SQLite) or URL (PostgreSQL).
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_SOURCE_IN_USE` for a store of another kind (an embedding's own).
 */
export function snapshotSourceOf(store: Store): SnapshotSource {
  if (store instanceof SqliteStore) return { kind: 'sqlite-live', file: store.options.file };
  if (store instanceof PostgresStore)
    return { kind: 'postgres', url: store.options.url, where: store.options.redactedUrl };
  throw new SnapshotError(
    'ERR_SNAPSHOT_SOURCE_IN_USE',
    'This runtime runs on a store of its own kind, which Statehouse cannot snapshot; only the SQLite and PostgreSQL stores can be.',
  );
}

/** A snapshot taken, as the API and the CLI report it. */
export interface SnapshotReport {
  readonly id: string;
  readonly location: string;
  readonly createdAt: string;
  readonly storeKind: string;
  readonly bytes: number;
  readonly durationMs: number;
  /** Rows by table. */
  readonly rows: Readonly<Record<string, number>>;
}

/**
 * What a snapshot taken reports.
 *
 * @param taken - the snapshot.
 * @returns its id, location, size, duration and rows by table.
 */
export function reportOf(taken: SnapshotTaken): SnapshotReport {
  return {
    id: taken.id,
    location: taken.location,
    createdAt: taken.manifest.createdAt,
    storeKind: taken.manifest.source.storeKind,
    bytes: taken.bytes,
    durationMs: Math.round(taken.durationMs),
    rows: Object.fromEntries(taken.manifest.files.map((f) => [f.table, f.rows])),
  };
}

/**
 * Takes a snapshot of a runtime's store now.
 *
 * @param store - the runtime's store.
 * @param to - where to (a directory or `s3://bucket/prefix`).
 * @returns what was taken.
 */
export async function snapshotNow(store: Store, to: string): Promise<SnapshotReport> {
  return reportOf(
    await createSnapshot({ to, source: snapshotSourceOf(store), cpuShare: RUNTIME_SNAPSHOT_CPU_SHARE }),
  );
}
