/**
 * Restoring a snapshot: read and check its manifest, download every file and check its size and SHA-256, and only
 * then load the rows into the target store in one transaction (a file that fails to decode rolls all of it back).
 * The target may be either store kind, whatever the snapshot was taken from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SnapshotError } from '../errors.js';
import { openBlobStore, type BlobStore } from './blob-store.js';
import { listSnapshotsIn } from './snapshot-catalog.js';
import { MANIFEST_NAME, parseManifest, SNAPSHOT_TABLES, type SnapshotManifest } from './snapshot-format.js';
import { loadIntoPostgres } from './postgres-restore.js';
import { loadIntoSqlite } from './sqlite-restore.js';
import { digestFile, readTableFile } from './table-file.js';
import type { SnapshotLoad } from './snapshot-load.js';

/** Where a snapshot is restored to. */
export type RestoreTarget =
  | { readonly kind: 'sqlite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly where: string };

/** Options of {@link restoreSnapshot}. */
export interface RestoreSnapshotOptions {
  /** The snapshot (`<location>/<id>`), or with `latest` a location holding snapshots. */
  readonly from: string;
  /** Restore the newest complete snapshot at `from`. @default false */
  readonly latest?: boolean;
  readonly target: RestoreTarget;
  /** Replace what the target holds. @default false (a non-empty target is refused) */
  readonly force?: boolean;
  /** Where the files are downloaded and checked. @default the OS temp directory */
  readonly tempDir?: string;
}

/** A snapshot restored. */
export interface SnapshotRestored {
  readonly manifest: SnapshotManifest;
  /** Rows loaded, by table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

async function pickSnapshot(
  blobs: BlobStore,
  latest: boolean,
): Promise<{ snapshot: BlobStore; text: string }> {
  if (latest) {
    const newest = (await listSnapshotsIn(blobs)).filter((l) => l.status === 'complete').at(-1);
    if (newest === undefined)
      throw new SnapshotError('ERR_SNAPSHOT_NOT_FOUND', `No complete snapshot is at ${blobs.description}.`);
    const snapshot = blobs.child(newest.id);
    return { snapshot, text: (await snapshot.getText(MANIFEST_NAME))! };
  }
  const text = await blobs.getText(MANIFEST_NAME);
  if (text !== undefined) return { snapshot: blobs, text };
  const children = (await listSnapshotsIn(blobs)).filter((l) => l.status === 'complete');
  const hint =
    children.length === 0
      ? 'Check the path (statehouse snapshot list --from <location>).'
      : `It holds ${children.length} snapshot(s), the newest ${children.at(-1)!.id}: give its path, or pass --latest.`;
  throw new SnapshotError(
    'ERR_SNAPSHOT_NOT_FOUND',
    `No snapshot manifest is at ${blobs.description}. ${hint}`,
  );
}

async function downloadChecked(snapshot: BlobStore, manifest: SnapshotManifest, dir: string): Promise<void> {
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    const where = `${snapshot.description}/${file.name}`;
    if (!(await snapshot.download(file.name, path)))
      throw new SnapshotError('ERR_SNAPSHOT_FILE_MISSING', `${where}, listed in the manifest, is missing.`);
    const found = await digestFile(path);
    if (found.bytes !== file.bytes || found.sha256 !== file.sha256)
      throw new SnapshotError(
        'ERR_SNAPSHOT_CHECKSUM_MISMATCH',
        `${where} does not match the manifest (size ${found.bytes} vs ${file.bytes} bytes, SHA-256 ` +
          `${found.sha256.slice(0, 12)}… vs ${file.sha256.slice(0, 12)}…): it changed after the snapshot was taken. ` +
          'Nothing was restored.',
      );
  }
}

function loadOf(manifest: SnapshotManifest, dir: string, where: string, force: boolean): SnapshotLoad {
  const files = new Map(manifest.files.map((f) => [f.table, f]));
  return {
    meta: manifest,
    force,
    tables: SNAPSHOT_TABLES.flatMap((table) => {
      const file = files.get(table.name);
      if (file === undefined) return [];
      return [
        {
          table,
          expectedRows: file.rows,
          rows: () => readTableFile(join(dir, file.name), table, `${where}/${file.name}`),
        },
      ];
    }),
  };
}

/**
 * Restores a snapshot into a data directory or a PostgreSQL database.
 *
 * @param options - the snapshot, the target and whether to replace what it holds.
 * @returns the manifest and the rows loaded.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_NOT_FOUND`, `ERR_SNAPSHOT_MANIFEST_INVALID`,
 *   `ERR_SNAPSHOT_FORMAT_TOO_NEW`, `ERR_SNAPSHOT_FILE_MISSING`, `ERR_SNAPSHOT_CHECKSUM_MISMATCH`,
 *   `ERR_SNAPSHOT_CORRUPT`, `ERR_SNAPSHOT_TARGET_NOT_EMPTY`, `ERR_SNAPSHOT_TARGET_IN_USE`,
 *   `ERR_SNAPSHOT_BLOB_FAILED`. The target is unchanged after any of them.
 */
export async function restoreSnapshot(options: RestoreSnapshotOptions): Promise<SnapshotRestored> {
  const started = performance.now();
  const blobs = await openBlobStore(options.from);
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'statehouse-restore-'));
  try {
    const { snapshot, text } = await pickSnapshot(blobs, options.latest ?? false);
    const manifest = parseManifest(text, snapshot.description);
    await downloadChecked(snapshot, manifest, dir);
    const load = loadOf(manifest, dir, snapshot.description, options.force ?? false);
    const rows =
      options.target.kind === 'sqlite'
        ? await loadIntoSqlite(options.target.dataDir, load)
        : await loadIntoPostgres(options.target.url, options.target.where, load);
    return { manifest, rows, durationMs: performance.now() - started };
  } finally {
    blobs.close();
    await rm(dir, { recursive: true, force: true });
  }
}
