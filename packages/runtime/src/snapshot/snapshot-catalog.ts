/** The snapshots at a location: listing them, finding the newest, keeping the newest N. */
import { SnapshotError } from '../errors.js';
import { openBlobStore, type BlobStore } from './blob-store.js';
import { MANIFEST_NAME, parseManifest, SNAPSHOT_ID, type SnapshotManifest } from './snapshot-format.js';

/** One snapshot at a location. */
export interface SnapshotListing {
  readonly id: string;
  /** `complete` (its manifest is there and reads), `incomplete` (no manifest: being written, or abandoned),
   * or `invalid` (a manifest that does not read; `problem` says why). */
  readonly status: 'complete' | 'incomplete' | 'invalid';
  readonly manifest?: SnapshotManifest;
  readonly problem?: string;
}

/**
 * Lists the snapshots in a store, oldest first. Only the manifests are read: a file damaged or deleted later is
 * found by a restore (which checks every file), not here.
 *
 * @param blobs - the location's store.
 * @returns every child that is or was meant to be a snapshot.
 */
export async function listSnapshotsIn(blobs: BlobStore): Promise<SnapshotListing[]> {
  const listings: SnapshotListing[] = [];
  // Only names a snapshot id can have: anything else at the location (a data directory, `.git`, other backups)
  // is not a snapshot, never listed, never deleted.
  for (const id of (await blobs.listChildren()).filter((name) => SNAPSHOT_ID.test(name))) {
    const text = await blobs.child(id).getText(MANIFEST_NAME);
    if (text === undefined) {
      listings.push({ id, status: 'incomplete' });
      continue;
    }
    try {
      listings.push({ id, status: 'complete', manifest: parseManifest(text, `${blobs.description}/${id}`) });
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      listings.push({ id, status: 'invalid', problem: `${err.code}: ${err.message}` });
    }
  }
  return listings;
}

/**
 * Lists the snapshots at a location, oldest first.
 *
 * @param location - a directory or `s3://bucket/prefix`.
 * @returns the snapshots.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_INVALID_LOCATION`, `ERR_SNAPSHOT_BLOB_FAILED`.
 */
export async function listSnapshots(location: string): Promise<SnapshotListing[]> {
  const blobs = await openBlobStore(location);
  try {
    return await listSnapshotsIn(blobs);
  } finally {
    blobs.close();
  }
}

/**
 * Deletes all but the newest `keep` complete snapshots, and the incomplete ones older than the newest complete one
 * (abandoned uploads).
 *
 * @param blobs - the location's store.
 * @param keep - how many complete snapshots to keep (≥ 1).
 * @returns the ids deleted.
 */
export async function pruneSnapshots(blobs: BlobStore, keep: number): Promise<string[]> {
  const listings = await listSnapshotsIn(blobs);
  const complete = listings.filter((l) => l.status === 'complete');
  const newest = complete.at(-1)?.id;
  const doomed = [
    ...complete.slice(0, Math.max(0, complete.length - keep)).map((l) => l.id),
    ...listings
      .filter((l) => l.status === 'incomplete' && newest !== undefined && l.id < newest)
      .map((l) => l.id),
  ];
  for (const id of doomed) await blobs.deleteTree(id);
  return doomed;
}
