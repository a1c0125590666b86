/**
 * Where snapshots are kept: a local directory or an S3 bucket (any S3-compatible endpoint). A location is the text
 * users give (`/backups/statehouse`, `s3://bucket/prefix?endpoint=http://127.0.0.1:9000`); a {@link BlobStore} is
 * that location opened, with names relative to it (`<snapshot id>/manifest.json`).
 */
import { redactLocation } from '../core/redact-url.js';
import { SnapshotError } from '../errors.js';

/** A place that keeps named files. Names use `/`; a missing name is `undefined`/`false`, never an error. */
export interface BlobStore {
  /** The location, for messages (never with credentials). */
  readonly description: string;
  /** Stores a local file under `name`. */
  put(name: string, file: string): Promise<void>;
  /** Stores text under `name`, as one write (a reader sees all of it or nothing). */
  putText(name: string, text: string): Promise<void>;
  /** The text under `name`, or `undefined` when there is none. */
  getText(name: string): Promise<string | undefined>;
  /** Copies `name` into a local file; `false` when there is no such name. */
  download(name: string, file: string): Promise<boolean>;
  /** The names of the immediate "directories" (the part before the first `/` of every name), sorted. */
  listChildren(): Promise<string[]>;
  /** Deletes every name under `prefix/`. */
  deleteTree(prefix: string): Promise<void>;
  /** A store rooted at `name` inside this one. */
  child(name: string): BlobStore;
  /** Frees connections. */
  close(): void;
}

/** An S3 location: bucket, key prefix (no leading or trailing `/`) and client options. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
  /** Endpoint override for S3-compatible stores; from `?endpoint=` or `AWS_ENDPOINT_URL_S3`. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  /** Path-style URLs (bucket in the path); default: on when an endpoint is set. */
  readonly forcePathStyle: boolean;
  /** A request whose connection stays silent this long fails, ms (`?timeoutMs=`). @default 30000 */
  readonly timeoutMs: number | undefined;
}

/** A parsed location. */
export type SnapshotLocation =
  { readonly kind: 'dir'; readonly path: string } | ({ readonly kind: 's3' } & S3Location);

const S3_OPTIONS = new Set(['endpoint', 'region', 'forcePathStyle', 'timeoutMs']);

function invalid(location: string, why: string): SnapshotError {
  return new SnapshotError(
    'ERR_SNAPSHOT_INVALID_LOCATION',
    `Snapshot location ${JSON.stringify(redactLocation(location))}: ${why}. Give a directory or s3://bucket/prefix ` +
      '(options: ?endpoint=URL&region=R&forcePathStyle=true|false&timeoutMs=N).',
  );
}

function endpointHasCredentials(endpoint: string | null): boolean {
  if (endpoint === null) return false;
  try {
    const url = new URL(endpoint);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

function parseS3(location: string): SnapshotLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw invalid(location, 'not a valid URL');
  }
  if (url.hostname === '') throw invalid(location, 'no bucket');
  if (url.username !== '' || url.password !== '')
    throw invalid(location, 'credentials do not go in the URL (use the AWS default credential chain)');
  for (const key of url.searchParams.keys())
    if (!S3_OPTIONS.has(key)) throw invalid(location, `unknown option ${JSON.stringify(key)}`);
  if (endpointHasCredentials(url.searchParams.get('endpoint')))
    throw invalid(
      location,
      'credentials do not go in the endpoint URL (use the AWS default credential chain)',
    );
  const endpoint =
    url.searchParams.get('endpoint') ?? process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL'];
  if (endpoint !== undefined && !/^https?:\/\/[^/]/u.test(endpoint))
    throw invalid(
      location,
      `endpoint must be an http(s) URL, got ${JSON.stringify(redactLocation(endpoint))}`,
    );
  const pathStyle = url.searchParams.get('forcePathStyle');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false')
    throw invalid(location, 'forcePathStyle must be true or false');
  const timeout = url.searchParams.get('timeoutMs');
  if (timeout !== null && !/^[1-9]\d{0,8}$/u.test(timeout))
    throw invalid(location, 'timeoutMs must be a whole number of milliseconds > 0');
  return {
    kind: 's3',
    timeoutMs: timeout === null ? undefined : Number(timeout),
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/gu, ''),
    endpoint,
    region: url.searchParams.get('region') ?? undefined,
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
  };
}

/**
 * Reads a location.
 *
 * @param location - a directory path, `file:///path`, or `s3://bucket[/prefix][?options]`.
 * @returns what it names.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_INVALID_LOCATION`.
 */
export function parseSnapshotLocation(location: string): SnapshotLocation {
  if (location.trim() === '') throw invalid(location, 'it is empty');
  if (location.startsWith('s3://')) return parseS3(location);
  if (location.startsWith('file://')) return { kind: 'dir', path: new URL(location).pathname };
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(location)) throw invalid(location, 'unsupported scheme');
  return { kind: 'dir', path: location };
}

/**
 * Opens a location (the S3 client is loaded only for `s3://` locations).
 *
 * @param location - as {@link parseSnapshotLocation} takes it.
 * @returns the store.
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_INVALID_LOCATION`.
 */
export async function openBlobStore(location: string): Promise<BlobStore> {
  const parsed = parseSnapshotLocation(location);
  if (parsed.kind === 'dir') {
    const { DirBlobStore } = await import('./dir-blob-store.js');
    return new DirBlobStore(parsed.path);
  }
  const { S3BlobStore } = await import('./s3-blob-store.js');
  return S3BlobStore.open(parsed);
}

/**
 * Runs a storage operation, turning its failure into `ERR_SNAPSHOT_BLOB_FAILED` with the cause's name.
 *
 * @param what - the operation, for the message ("writing x to y").
 * @param run - the operation.
 * @returns its result.
 */
export async function blobOperation<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    const e = err as Error;
    throw new SnapshotError('ERR_SNAPSHOT_BLOB_FAILED', `${what} failed: ${e.name}: ${e.message}`, {
      cause: err,
      retryable: true,
    });
  }
}
