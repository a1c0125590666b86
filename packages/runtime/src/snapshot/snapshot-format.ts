/**
 * The snapshot format, version 1: what a snapshot holds and how its manifest reads. A snapshot is logical (rows
 * of the store's logical tables, the same for both store kinds), so one taken from SQLite restores into
 * PostgreSQL and back (ADR 0011). Each table is one gzip-compressed file of JSON lines, one row per line as an
 * array of its column values (bytes as base64); the manifest names every file with its row count, size and
 * SHA-256, and is written last, so a snapshot without a manifest is incomplete and never restored.
 */
import { z } from 'zod';

import { SnapshotError } from '../errors.js';

/**
 * The format this code writes; a snapshot of a newer format is refused (`ERR_SNAPSHOT_FORMAT_TOO_NEW`). Version 2
 * added the nullable `traceparent` column at the end of `messages`, `timers` and `egress`; rows of version 1 lack
 * it and read as null.
 */
export const SNAPSHOT_FORMAT_VERSION = 2;

/** The `format` field of every manifest. */
export const SNAPSHOT_FORMAT = 'statehouse-snapshot';

/** What a snapshot id looks like: its UTC time to the millisecond and a random suffix (see `snapshotIdAt`). */
export const SNAPSHOT_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/u;

/** Name of the manifest inside a snapshot. */
export const MANIFEST_NAME = 'manifest.json';

/** How a column's values are written: integers and text as JSON, bytes as base64 text; `?` allows null. */
export type ColumnKind = 'int' | 'int?' | 'text' | 'text?' | 'bytes';

/** One logical table: its name (the same in both stores) and its columns in file order. */
export interface LogicalTable {
  readonly name: string;
  readonly columns: readonly (readonly [name: string, kind: ColumnKind])[];
  /** Columns that order the rows (the primary key), so two snapshots of the same data are the same files. */
  readonly orderBy: string;
}

const table = (name: string, orderBy: string, columns: LogicalTable['columns']): LogicalTable =>
  Object.freeze({ name, orderBy, columns: Object.freeze(columns) });

/**
 * Every logical table a snapshot holds, in restore order. `egress_heads` is the next offset of each egress (a
 * table in PostgreSQL, derived from the records and their retention in SQLite). Left out on purpose: cluster
 * membership and leases (they belong to the processes of one deployment, and their epochs must only grow).
 */
export const SNAPSHOT_TABLES: readonly LogicalTable[] = Object.freeze([
  table('function_specs', 'function_type, state_name', [
    ['function_type', 'text'],
    ['state_name', 'text'],
    ['typename', 'text'],
    ['expire_mode', 'text'],
    ['expire_after_ms', 'int'],
  ]),
  table('state', 'function_type, id, name', [
    ['function_type', 'text'],
    ['id', 'text'],
    ['name', 'text'],
    ['key_group', 'int'],
    ['typename', 'text'],
    ['value', 'bytes'],
    ['expires_at', 'int?'],
  ]),
  table('messages', 'seq', [
    ['seq', 'int'],
    ['key_group', 'int'],
    ['target_type', 'text'],
    ['target_id', 'text'],
    ['caller_type', 'text?'],
    ['caller_id', 'text?'],
    ['typename', 'text'],
    ['value', 'bytes'],
    ['enqueued_at', 'int'],
    ['traceparent', 'text?'],
  ]),
  table('timers', 'id', [
    ['id', 'int'],
    ['key_group', 'int'],
    ['fire_at', 'int'],
    ['sender_type', 'text'],
    ['sender_id', 'text'],
    ['token', 'text?'],
    ['target_type', 'text'],
    ['target_id', 'text'],
    ['typename', 'text'],
    ['value', 'bytes'],
    ['traceparent', 'text?'],
  ]),
  table('egress', 'egress_id, record_offset', [
    ['egress_id', 'text'],
    ['record_offset', 'int'],
    ['producer_type', 'text'],
    ['producer_id', 'text'],
    ['typename', 'text'],
    ['value', 'bytes'],
    ['created_at', 'int'],
    ['traceparent', 'text?'],
  ]),
  table('egress_heads', 'egress_id', [
    ['egress_id', 'text'],
    ['next_offset', 'int'],
  ]),
  table('egress_retention', 'egress_id', [
    ['egress_id', 'text'],
    ['first_offset', 'int'],
  ]),
  table('egress_cursors', 'egress_id', [
    ['egress_id', 'text'],
    ['next_offset', 'int'],
  ]),
  table('ingress_keys', 'key', [
    ['key', 'text'],
    ['seq', 'int'],
    ['created_at', 'int'],
  ]),
  table('dead_letters', 'id', [
    ['id', 'int'],
    ['key_group', 'int?'],
    ['address_type', 'text'],
    ['address_id', 'text'],
    ['messages', 'text'],
    ['reason', 'text'],
    ['created_at', 'int'],
  ]),
  table('connector_positions', 'connector, source, part', [
    ['connector', 'text'],
    ['source', 'text'],
    ['part', 'text'],
    ['position', 'text'],
  ]),
]);

/** The deployment a snapshot belongs to and the id high-water marks at the cut. */
export interface SnapshotCutMeta {
  readonly keyGroups: number;
  readonly hash: string;
  /** Highest message seq ever taken: restored stores never reuse a seq. */
  readonly maxMessageSeq: number;
  /** Highest timer id ever taken. */
  readonly maxTimerId: number;
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/u, 'a SHA-256 in lowercase hex');
const count = z.number().int().nonnegative();

const manifestSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  formatVersion: z.number().int().positive(),
  id: z.string().min(1),
  createdAt: z.string().min(1),
  statehouseVersion: z.string(),
  source: z.strictObject({ storeKind: z.enum(['sqlite', 'postgres']), schemaVersion: count }),
  keyGroups: z.number().int().positive(),
  hash: z.string().min(1),
  maxMessageSeq: count,
  maxTimerId: count,
  files: z.array(
    z.strictObject({ table: z.string(), name: z.string().min(1), rows: count, bytes: count, sha256 }),
  ),
});

/** A snapshot's manifest. */
export type SnapshotManifest = z.infer<typeof manifestSchema>;
/** One file of a snapshot, as its manifest lists it. */
export type SnapshotFile = SnapshotManifest['files'][number];

/**
 * Reads and checks a manifest.
 *
 * @param text - the manifest's bytes as text.
 * @param where - the snapshot, for messages.
 * @returns the manifest.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_MANIFEST_INVALID` (not JSON, truncated, a field missing or wrong, a
 *   table unknown), `ERR_SNAPSHOT_FORMAT_TOO_NEW` (written by a newer Statehouse).
 */
export function parseManifest(text: string, where: string): SnapshotManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SnapshotError(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
      `The manifest of snapshot ${where} is not valid JSON (${(err as Error).message}); it is truncated or ` +
        'damaged. Restore another snapshot (statehouse snapshot list).',
    );
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(
      'ERR_SNAPSHOT_FORMAT_TOO_NEW',
      `Snapshot ${where} has format version ${version}; this Statehouse reads up to version ` +
        `${SNAPSHOT_FORMAT_VERSION}. Restore it with the Statehouse version that took it, or a newer one.`,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SnapshotError(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
      `The manifest of snapshot ${where} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}.`,
    );
  }
  // Every table once, each in the file named after it: a manifest cannot leave a table out (a restore would
  // silently lose it) nor name a path outside the snapshot.
  const listed = parsed.data.files.map((f) => f.table).sort();
  const expected = SNAPSHOT_TABLES.map((t) => t.name).sort();
  const misnamed = parsed.data.files.find((f) => f.name !== `${f.table}.jsonl.gz`);
  if (listed.join() !== expected.join() || misnamed !== undefined) {
    throw new SnapshotError(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
      `The manifest of snapshot ${where} must list each table once, in <table>.jsonl.gz ` +
        `(tables: ${expected.join(', ')}; listed: ${parsed.data.files.map((f) => `${f.table} in ${f.name}`).join(', ')}).`,
    );
  }
  return parsed.data;
}
