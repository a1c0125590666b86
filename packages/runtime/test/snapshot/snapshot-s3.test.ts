/**
 * Snapshots in S3, against a real S3 API (s3rver, in this process) and the CLI in child processes. A store whose
 * state table file is larger than one upload part goes up in parts, is listed, and restores into a fresh data
 * directory whose state export is the original's, byte for byte. A damaged snapshot (an object changed, the
 * manifest cut short or from a newer format, a file deleted) is refused with its own code and nothing is written
 * to the target; a missing bucket and a location that names none are refused with theirs.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  S3RVER_CREDENTIALS,
  createTempDir,
  seededRandom,
  startS3rver,
  type TempDir,
  type TestS3rver,
  runCli,
  type CliRun,
} from '@statehouse/testkit';
import { createSnapshot, importState, type SnapshotManifest, type SnapshotReport } from '@statehouse/runtime';
import { S3_PART_SIZE_BYTES } from '../../src/snapshot/s3-blob-store.js';

const SEED = 20261207;
/** The AWS default credential chain's variables, for this process and the CLI's. */
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: S3RVER_CREDENTIALS.region,
} as const;
const STATE_FILE = 'state.jsonl.gz';

type CliExit = CliRun;

/** Runs the CLI with the AWS environment; its exit code, stdout and stderr (a non-zero exit is not thrown). */
function cli(...args: string[]): Promise<CliExit> {
  return runCli(args, { env: AWS_ENV });
}

async function cliOk(...args: string[]): Promise<string> {
  const exit = await cli(...args);
  expect(exit, `statehouse ${args.join(' ')}`).toMatchObject({ code: 0 });
  return exit.stdout;
}

/** A state export file: `addresses` addresses of `test/blob`, each with one value of `valueBytes` random bytes. */
async function writeStateLines(
  path: string,
  addresses: number,
  valueBytes: number,
  seed: number,
): Promise<void> {
  const random = seededRandom(seed);
  const lines: string[] = [];
  for (let i = 0; i < addresses; i++) {
    const value = Buffer.alloc(valueBytes);
    for (let b = 0; b < valueBytes; b++) value[b] = Math.floor(random() * 256);
    const address = { type: 'test/blob', id: `k${String(i).padStart(5, '0')}` };
    lines.push(
      JSON.stringify({ address, values: { blob: { type: 'test/bytes', bytes: value.toString('base64') } } }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

/** The state of a data directory, as `statehouse state export` writes it. */
async function exportOf(dataDir: string, file: string): Promise<Buffer> {
  await cliOk('state', 'export', '--data-dir', dataDir, '--to', file);
  return readFile(file);
}

describe('snapshots in S3 (s3rver)', () => {
  let dir: TempDir;
  let s3: TestS3rver;
  let client: S3Client;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(AWS_ENV)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    dir = await createTempDir();
    s3 = await startS3rver({ bucket: 'snapshots' });
    client = new S3Client({
      endpoint: s3.url,
      region: S3RVER_CREDENTIALS.region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
        secretAccessKey: S3RVER_CREDENTIALS.secretAccessKey,
      },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await dir?.cleanup();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** The key of a snapshot's file in the bucket. */
  const keyOf = (location: string, name: string): string =>
    `${new URL(location).pathname.replace(/^\/+/u, '')}/${name}`;

  async function getBytes(key: string): Promise<Buffer> {
    const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async function putBytes(key: string, body: Buffer | string): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  }

  it('takes a snapshot in parts, lists it and restores it into a store with the same state', async () => {
    const lines = join(dir.path, 'big.jsonl');
    await writeStateLines(lines, 2_500, 5_000, SEED);
    const source = join(dir.path, 'big-source');
    const imported = await importState({ from: lines, target: { kind: 'sqlite', dataDir: source } });
    expect(imported).toMatchObject({ addresses: 2_500, values: 2_500 });

    const to = s3.location('multi');
    const report = JSON.parse(
      await cliOk('snapshot', 'create', '--data-dir', source, '--to', to, '--json'),
    ) as SnapshotReport;
    expect(report.rows['state']).toBe(2_500);

    // The state file is in the bucket, as large as the manifest says, and larger than one part.
    const manifestText = await getBytes(keyOf(report.location, 'manifest.json'));
    const manifest = JSON.parse(manifestText.toString('utf8')) as SnapshotManifest;
    const stateFile = manifest.files.find((f) => f.table === 'state')!;
    expect(stateFile.bytes).toBeGreaterThan(S3_PART_SIZE_BYTES);
    const stateKey = keyOf(report.location, STATE_FILE);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: stateKey }));
    expect(head.ContentLength).toBe(stateFile.bytes);
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `multi/${report.id}/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      [
        ...manifest.files.map((f) => keyOf(report.location, f.name)),
        keyOf(report.location, 'manifest.json'),
      ].sort(),
    );

    // It went up in parts: s3rver gives no `-N` ETag, but it saw one UploadPart per part of S3_PART_SIZE_BYTES
    // and completed the object as a multipart upload (ObjectCreated:Post); the small files are plain PUTs.
    const parts = s3.requests.filter(
      (r) =>
        r.method === 'PUT' && r.url.startsWith(`/${s3.bucket}/${stateKey}?`) && r.url.includes('partNumber='),
    );
    expect(parts).toHaveLength(Math.ceil(stateFile.bytes / S3_PART_SIZE_BYTES));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const created = (key: string) =>
      s3.events
        .filter((e) => e.key === key && e.eventName.startsWith('ObjectCreated'))
        .map((e) => e.eventName);
    expect(created(stateKey)).toEqual(['ObjectCreated:Post']);
    expect(created(keyOf(report.location, 'manifest.json'))).toEqual(['ObjectCreated:Put']);

    const list = await cliOk('snapshot', 'list', '--from', to);
    expect(list).toContain(report.id);
    const listJson = JSON.parse(await cliOk('snapshot', 'list', '--from', to, '--json')) as {
      id: string;
      status: string;
    }[];
    expect(listJson.map((l) => [l.id, l.status])).toEqual([[report.id, 'complete']]);

    const restored = join(dir.path, 'big-restored');
    const out = await cliOk('restore', '--from', report.location, '--data-dir', restored);
    expect(out).toContain(`restored snapshot ${report.id}`);
    const [original, copy] = [
      await exportOf(source, join(dir.path, 'big-source.jsonl')),
      await exportOf(restored, join(dir.path, 'big-restored.jsonl')),
    ];
    expect(original.length).toBeGreaterThan(2_500 * 5_000);
    expect(copy.equals(original)).toBe(true);
  }, 50_000);

  describe('a damaged snapshot is refused and nothing is written to the target', () => {
    let small: string;

    beforeAll(async () => {
      const lines = join(dir.path, 'small.jsonl');
      await writeStateLines(lines, 20, 100, SEED + 1);
      small = join(dir.path, 'small-source');
      await importState({ from: lines, target: { kind: 'sqlite', dataDir: small } });
    });

    /** A new snapshot of the small store under `prefix`; its location. */
    async function smallSnapshot(prefix: string): Promise<string> {
      return (
        await createSnapshot({ to: s3.location(prefix), source: { kind: 'sqlite-dir', dataDir: small } })
      ).location;
    }

    /** Restores into a new data directory and expects it refused with `code`, the directory left without a store. */
    async function expectRefused(location: string, code: string): Promise<string> {
      const target = join(dir.path, `restored-${code}`);
      const exit = await cli('restore', '--from', location, '--data-dir', target);
      expect(exit.stderr).toContain(code);
      expect(exit.code).toBe(2);
      expect(existsSync(join(target, 'statehouse.db'))).toBe(false);
      return exit.stderr;
    }

    it('an object changed after the snapshot: ERR_SNAPSHOT_CHECKSUM_MISMATCH', async () => {
      const location = await smallSnapshot('damaged-object');
      // Same size, other bytes: only the SHA-256 tells.
      const key = keyOf(location, STATE_FILE);
      const bytes = await getBytes(key);
      const middle = bytes.length >> 1;
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
      await putBytes(key, bytes);
      const stderr = await expectRefused(location, 'ERR_SNAPSHOT_CHECKSUM_MISMATCH');
      expect(stderr).toContain(STATE_FILE);
    });

    it('a truncated manifest: ERR_SNAPSHOT_MANIFEST_INVALID', async () => {
      const location = await smallSnapshot('truncated-manifest');
      const key = keyOf(location, 'manifest.json');
      const text = (await getBytes(key)).toString('utf8');
      await putBytes(key, text.slice(0, text.length >> 1));
      await expectRefused(location, 'ERR_SNAPSHOT_MANIFEST_INVALID');
    });

    it('a manifest of a newer format: ERR_SNAPSHOT_FORMAT_TOO_NEW', async () => {
      const location = await smallSnapshot('format-99');
      const key = keyOf(location, 'manifest.json');
      const manifest = JSON.parse((await getBytes(key)).toString('utf8')) as SnapshotManifest;
      await putBytes(key, JSON.stringify({ ...manifest, formatVersion: 99 }, null, 2));
      const stderr = await expectRefused(location, 'ERR_SNAPSHOT_FORMAT_TOO_NEW');
      expect(stderr).toContain('format version 99');
    });

    it('a file deleted: ERR_SNAPSHOT_FILE_MISSING', async () => {
      const location = await smallSnapshot('deleted-file');
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keyOf(location, STATE_FILE) }));
      const stderr = await expectRefused(location, 'ERR_SNAPSHOT_FILE_MISSING');
      expect(stderr).toContain(STATE_FILE);
    });
  });

  it('a bucket that does not exist: ERR_SNAPSHOT_BLOB_FAILED naming the cause', async () => {
    const source = join(dir.path, 'tiny-source');
    const lines = join(dir.path, 'tiny.jsonl');
    await writeStateLines(lines, 3, 10, SEED + 2);
    await importState({ from: lines, target: { kind: 'sqlite', dataDir: source } });
    const missing = `s3://no-such-bucket/x?endpoint=${s3.url}`;

    const create = await cli('snapshot', 'create', '--data-dir', source, '--to', missing);
    expect(create.code).toBe(2);
    expect(create.stderr).toContain('ERR_SNAPSHOT_BLOB_FAILED');
    expect(create.stderr).toContain('NoSuchBucket');

    const list = await cli('snapshot', 'list', '--from', missing);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('ERR_SNAPSHOT_BLOB_FAILED');
    expect(list.stderr).toContain('NoSuchBucket');

    const target = join(dir.path, 'restored-missing-bucket');
    const restore = await cli('restore', '--from', missing, '--data-dir', target);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('ERR_SNAPSHOT_BLOB_FAILED');
    expect(restore.stderr).toContain('NoSuchBucket');
    expect(existsSync(join(target, 'statehouse.db'))).toBe(false);
  });

  it('an endpoint that accepts connections and never answers fails the snapshot instead of hanging it', async () => {
    const source = join(dir.path, 'silent-source');
    const lines = join(dir.path, 'silent.jsonl');
    await writeStateLines(lines, 3, 10, SEED + 3);
    await importState({ from: lines, target: { kind: 'sqlite', dataDir: source } });
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      const create = await cli(
        'snapshot',
        'create',
        '--data-dir',
        source,
        '--to',
        `s3://snapshots/x?endpoint=http://127.0.0.1:${port}&timeoutMs=300`,
      );
      expect(create.code).toBe(2);
      expect(create.stderr).toContain('ERR_SNAPSHOT_BLOB_FAILED');
      expect(sockets.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a location that names no bucket: ERR_SNAPSHOT_INVALID_LOCATION', async () => {
    // The location is read first: the data directory is never opened.
    const source = join(dir.path, 'no-source');
    for (const args of [
      ['snapshot', 'create', '--data-dir', source, '--to', 's3://'],
      ['snapshot', 'list', '--from', 's3://'],
      ['restore', '--from', 's3://', '--data-dir', join(dir.path, 'restored-invalid')],
    ]) {
      const exit = await cli(...args);
      expect(exit.code, args.join(' ')).toBe(2);
      expect(exit.stderr).toContain('ERR_SNAPSHOT_INVALID_LOCATION');
    }
    expect(existsSync(join(dir.path, 'restored-invalid'))).toBe(false);
  });
});
