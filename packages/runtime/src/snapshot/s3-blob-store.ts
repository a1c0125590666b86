/**
 * Snapshots in S3 or any S3-compatible store, through the AWS SDK v3: credentials and region from the default
 * chain (environment, shared files, instance roles), an endpoint override and path-style URLs for other stores.
 * Large files go up in parts (`@aws-sdk/lib-storage`), several at a time.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { blobOperation, type BlobStore, type S3Location } from './blob-store.js';

/** Size of each part of a multipart upload (S3's minimum is 5 MiB). */
export const S3_PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Connecting to the endpoint gives up after this long, ms. */
const S3_CONNECT_TIMEOUT_MS = 10_000;
/** A request whose socket stays silent this long fails (and is retried by the SDK, then by the caller), ms. */
const S3_SILENCE_TIMEOUT_MS = 30_000;
/** No single request (an 8 MiB part on a slow link) may take longer than this, ms. */
const S3_REQUEST_LIMIT_MS = 300_000;
/** Parts uploaded at once. */
const S3_PARTS_IN_FLIGHT = 4;

function isNoSuchKey(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** A {@link BlobStore} in an S3 bucket under a key prefix. */
export class S3BlobStore implements BlobStore {
  readonly description: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #ownsClient: boolean;

  private constructor(client: S3Client, bucket: string, prefix: string, ownsClient: boolean) {
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.#ownsClient = ownsClient;
    this.description = `s3://${bucket}/${prefix}`;
  }

  /**
   * Opens a location; nothing is sent until the first operation.
   *
   * @param location - the parsed `s3://` location.
   * @returns the store.
   */
  static open(location: S3Location): S3BlobStore {
    const client = new S3Client({
      region:
        location.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
      ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
      forcePathStyle: location.forcePathStyle,
      // Without timeouts an endpoint that accepts connections and never answers would hold a snapshot (and
      // every scheduled one after it) for good.
      requestHandler: new NodeHttpHandler({
        connectionTimeout: S3_CONNECT_TIMEOUT_MS,
        socketTimeout: location.timeoutMs ?? S3_SILENCE_TIMEOUT_MS,
        requestTimeout: S3_REQUEST_LIMIT_MS,
        throwOnRequestTimeout: true,
      }),
    });
    return new S3BlobStore(client, location.bucket, location.prefix, true);
  }

  #key(name: string): string {
    return this.#prefix === '' ? name : `${this.#prefix}/${name}`;
  }

  put(name: string, file: string): Promise<void> {
    const key = this.#key(name);
    return blobOperation(`uploading s3://${this.#bucket}/${key}`, async () => {
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.#bucket, Key: key, Body: createReadStream(file) },
        partSize: S3_PART_SIZE_BYTES,
        queueSize: S3_PARTS_IN_FLIGHT,
      });
      await upload.done();
    });
  }

  putText(name: string, text: string): Promise<void> {
    const key = this.#key(name);
    return blobOperation(`writing s3://${this.#bucket}/${key}`, async () => {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: text, ContentType: 'application/json' }),
      );
    });
  }

  getText(name: string): Promise<string | undefined> {
    const key = this.#key(name);
    return blobOperation(`reading s3://${this.#bucket}/${key}`, async () => {
      try {
        const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
        return await object.Body!.transformToString('utf8');
      } catch (err) {
        if (isNoSuchKey(err)) return undefined;
        throw err;
      }
    });
  }

  download(name: string, file: string): Promise<boolean> {
    const key = this.#key(name);
    return blobOperation(`downloading s3://${this.#bucket}/${key}`, async () => {
      try {
        const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
        await pipeline(object.Body as Readable, createWriteStream(file));
        return true;
      } catch (err) {
        if (isNoSuchKey(err)) return false;
        throw err;
      }
    });
  }

  /** Every key under `prefix` (relative to this store's prefix), page by page; or the common prefixes. */
  async #list(prefix: string, delimiter: string | undefined): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          ContinuationToken: token,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
        }),
      );
      if (delimiter === undefined) for (const o of page.Contents ?? []) found.push(o.Key!);
      else for (const p of page.CommonPrefixes ?? []) found.push(p.Prefix!);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  listChildren(): Promise<string[]> {
    const base = this.#prefix === '' ? '' : `${this.#prefix}/`;
    return blobOperation(`listing ${this.description}`, async () =>
      (await this.#list(base, '/')).map((p) => p.slice(base.length).replace(/\/$/u, '')).sort(),
    );
  }

  deleteTree(prefix: string): Promise<void> {
    const base = `${this.#key(prefix)}/`;
    return blobOperation(`deleting s3://${this.#bucket}/${base}`, async () => {
      for (const key of await this.#list(base, undefined))
        await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    });
  }

  child(name: string): BlobStore {
    return new S3BlobStore(this.#client, this.#bucket, this.#key(name), false);
  }

  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }
}
