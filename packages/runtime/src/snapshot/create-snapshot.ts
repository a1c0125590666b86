/**
 * Taking a snapshot: cut the store (one read transaction), write each table to a local file while the cut is
 * open, then upload the files and, last, the manifest. Uploading after the cut keeps the read transaction as
 * short as the local disk allows, whatever the speed of the network to the bucket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openBlobStore } from './blob-store.js';
import {
  MANIFEST_NAME,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotManifest,
} from './snapshot-format.js';
import { cutToFiles } from './cut-thread.js';
import { STATEHOUSE_VERSION } from './version.js';

/** What a snapshot is taken of. */
export type SnapshotSource =
  /** The SQLite file of a runtime running in this process. */
  | { readonly kind: 'sqlite-live'; readonly file: string }
  /** A data directory no runtime holds (locked while the cut is read). */
  | { readonly kind: 'sqlite-dir'; readonly dataDir: string }
  /** A PostgreSQL store, its cluster running or not; `where` is the URL without password. */
  | { readonly kind: 'postgres'; readonly url: string; readonly where: string };

/** Options of {@link createSnapshot}. */
export interface CreateSnapshotOptions {
  /** Where to put it: a directory or `s3://bucket/prefix`; the snapshot is `<to>/<id>/`. */
  readonly to: string;
  readonly source: SnapshotSource;
  /** Where the table files are written before they are uploaded. @default the OS temp directory */
  readonly tempDir?: string;
  /** The clock, for the id and `createdAt`. @default Date.now */
  readonly now?: () => number;
  /**
   * The share of one CPU reading and compressing the cut may take, in (0, 1]: a runtime snapshotting itself
   * leaves the rest to its traffic ({@link RUNTIME_SNAPSHOT_CPU_SHARE}). @default 1
   */
  readonly cpuShare?: number;
}

/** The CPU share of snapshots a runtime takes of itself (API, schedule). */
export const RUNTIME_SNAPSHOT_CPU_SHARE = 0.5;

/** A snapshot taken. */
export interface SnapshotTaken {
  readonly id: string;
  /** Where it is: `<to>/<id>`. */
  readonly location: string;
  readonly manifest: SnapshotManifest;
  /** Total size of its files, bytes. */
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * A snapshot id: the UTC time it was taken, sortable as text, and a random suffix (two processes never collide).
 *
 * @param ms - the time, epoch ms.
 * @returns e.g. `20261206T181500123Z-3fa9c1`.
 */
export function snapshotIdAt(ms: number): string {
  const stamp = new Date(ms).toISOString().replace(/[-:]/gu, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The location of a child of a location: the name goes before an `s3://` location's options.
 *
 * @param location - a directory or `s3://bucket/prefix?options`.
 * @param name - the child's name.
 * @returns e.g. `s3://bucket/prefix/<name>?endpoint=…`.
 */
export function childLocation(location: string, name: string): string {
  const query = location.indexOf('?');
  const base = (query < 0 ? location : location.slice(0, query)).replace(/\/+$/u, '');
  return `${base}/${name}${query < 0 ? '' : location.slice(query)}`;
}

/**
 * Takes a snapshot.
 *
 * @param options - source, destination, temp directory.
 * @returns the snapshot's id, location and manifest.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_INVALID_LOCATION`, `ERR_SNAPSHOT_BLOB_FAILED`,
 *   `ERR_SNAPSHOT_SOURCE_IN_USE`, `ERR_SNAPSHOT_NOT_FOUND`; a store error when the store cannot be read.
 */
export async function createSnapshot(options: CreateSnapshotOptions): Promise<SnapshotTaken> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const blobs = await openBlobStore(options.to);
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'statehouse-snapshot-'));
  try {
    const createdMs = now();
    const id = snapshotIdAt(createdMs);
    const cut = await cutToFiles(options.source, dir, options.cpuShare ?? 1);
    const manifest: SnapshotManifest = {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      id,
      createdAt: new Date(createdMs).toISOString(),
      statehouseVersion: STATEHOUSE_VERSION,
      source: { storeKind: cut.storeKind, schemaVersion: cut.schemaVersion },
      ...cut.meta,
      files: cut.files,
    };
    const target = blobs.child(id);
    for (const file of manifest.files) await target.put(file.name, join(dir, file.name));
    // Last: a snapshot is complete, listed and restorable once its manifest is there.
    await target.putText(MANIFEST_NAME, `${JSON.stringify(manifest, null, 2)}\n`);
    return {
      id,
      location: childLocation(options.to, id),
      manifest,
      bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
      durationMs: performance.now() - started,
    };
  } finally {
    blobs.close();
    await rm(dir, { recursive: true, force: true });
  }
}
