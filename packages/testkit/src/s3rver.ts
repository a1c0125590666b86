/**
 * S3 for tests: s3rver (an implementation of the S3 API on the file system) served on loopback by this process,
 * with one bucket. It accepts requests signed with the access key `S3RVER` and secret `S3RVER` (see
 * {@link S3RVER_CREDENTIALS}). What it was asked is recorded: every request (method and URL) and every object
 * written or deleted, with how (`ObjectCreated:Put` for a PutObject, `ObjectCreated:Post` for a completed
 * multipart upload), so a test can tell how a file went up. s3rver does not give multipart objects the `-N`
 * ETag suffix S3 does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './free-port.js';

/**
 * The credentials s3rver accepts, and the region its clients may use. Not frozen: the AWS SDK marks the
 * credentials object it is given (`$source`), and fails on a frozen one.
 */
export const S3RVER_CREDENTIALS: {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
} = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };

/** A request s3rver received. */
export interface S3rverRequest {
  readonly method: string;
  /** Path (`/bucket/key`, path-style) and query, as sent. */
  readonly url: string;
}

/** An object written or deleted. */
export interface S3rverObjectEvent {
  /** `ObjectCreated:Put`, `ObjectCreated:Post` (a completed multipart upload), `ObjectCreated:Copy`, `ObjectRemoved:Delete`. */
  readonly eventName: string;
  readonly bucket: string;
  readonly key: string;
}

/** Options of {@link startS3rver}. */
export interface StartS3rverOptions {
  /** The bucket created at start. @default 'snapshots' */
  readonly bucket?: string;
  /** Where s3rver keeps its files. @default a new temp directory, deleted at close */
  readonly directory?: string;
}

/** A running s3rver. */
export interface TestS3rver {
  /** `http://127.0.0.1:<port>`: the endpoint for clients (path-style). */
  readonly url: string;
  readonly bucket: string;
  /** Where s3rver keeps buckets and objects, as files. */
  readonly directory: string;
  /** `s3://<bucket>/<prefix>?endpoint=<url>`; the prefix may be empty. */
  location(prefix: string): string;
  /** Requests received so far, in order. */
  readonly requests: readonly S3rverRequest[];
  /** Objects written or deleted so far, in order. */
  readonly events: readonly S3rverObjectEvent[];
  /** Stops it (open connections are closed) and deletes its directory when it made it. */
  close(): Promise<void>;
}

/**
 * Starts s3rver on a free loopback port with one bucket.
 *
 * @param options - bucket and directory.
 * @returns the running server.
 */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<TestS3rver> {
  const bucket = options.bucket ?? 'snapshots';
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'statehouse-s3rver-')));
  const port = await freePort();
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const events: S3rverObjectEvent[] = [];
  server.on('event', (event) => {
    for (const r of event.Records)
      events.push({ eventName: r.eventName, bucket: r.s3.bucket.name, key: r.s3.object.key });
  });
  await server.run();
  const requests: S3rverRequest[] = [];
  server.httpServer?.on('request', (req) => requests.push({ method: req.method ?? '', url: req.url ?? '' }));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    bucket,
    directory,
    location: (prefix) => `s3://${bucket}/${prefix.replace(/^\/+/u, '')}?endpoint=${url}`,
    requests,
    events,
    close: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
