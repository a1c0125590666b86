/** Types of the parts of s3rver 3.7 the testkit uses (the package ships none). */
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    /** @default 'localhost' */
    address?: string;
    /** @default 4568 */
    port?: number;
    /** Where buckets and objects are kept, as files. */
    directory?: string;
    silent?: boolean;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    /** Buckets created at `run()`. */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** An S3 notification record, as s3rver emits it on `event` for each object written or deleted. */
  interface S3rverEvent {
    Records: {
      /**
       * `ObjectCreated:Put` (PutObject), `ObjectCreated:Post` (CompleteMultipartUpload), `ObjectCreated:Copy`,
       * `ObjectRemoved:Delete`.
       */
      eventName: string;
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
    }[];
  }

  /** A Koa application serving the S3 API from a directory. */
  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    /** The HTTP server, once `run()` resolved. */
    httpServer?: Server;
    /** Creates the configured buckets and listens; the address it listens on. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
