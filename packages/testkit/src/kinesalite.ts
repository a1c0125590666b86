/**
 * Kinesis for tests: kinesalite (an implementation of the Kinesis API on LevelDB, in memory here) served on
 * loopback by this process, with a client that talks HTTP/1.1 to it (the AWS SDK's default HTTP/2 handler fails
 * on it), helpers to create, split, write and read streams, and a switch that makes it refuse requests the way
 * Kinesis does when a shard's throughput is exceeded. Like Kinesis, it refuses requests signed with an access key
 * other than `test` (`UnrecognizedClientException`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

/** A record read from a stream. */
export interface KinesisOutRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly sequenceNumber: string;
}

/** The operations {@link Kinesalite.throttle} can refuse. */
export type KinesisOperation = 'GetRecords' | 'PutRecords' | 'GetShardIterator' | 'ListShards';

/** A running kinesalite. */
export interface Kinesalite {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The region the module.yaml documents name (kinesalite accepts any). */
  readonly region: string;
  readonly client: KinesisClient;
  /** Creates a stream and waits until it is ACTIVE. */
  createStream(name: string, shards: number): Promise<void>;
  /** Deletes a stream and waits until it is gone. */
  deleteStream(name: string): Promise<void>;
  /** Splits a shard in two at the middle of its hash key range; waits until the stream is ACTIVE again. */
  splitShard(stream: string, shardId: string): Promise<void>;
  listShards(stream: string): Promise<Shard[]>;
  /** Puts records (500 at a time), retrying refused ones; each record's partition key and UTF-8 data. */
  put(stream: string, records: readonly { readonly key: string; readonly data: string }[]): Promise<void>;
  /** Every record of the stream so far, shard by shard, in each shard's order. */
  readAll(stream: string): Promise<KinesisOutRecord[]>;
  /**
   * From now on refuses a share of the requests of an operation with `ProvisionedThroughputExceededException`
   * (`share` 0 stops it), and counts them. For `PutRecords`, a share of the records of each request is refused
   * (a partial failure: the request succeeds, those records carry the error code and are not put).
   */
  throttle(operation: KinesisOperation, share: number): void;
  /** Requests refused so far by {@link Kinesalite.throttle}. */
  readonly refused: number;
  stop(): Promise<void>;
}

/** Starts kinesalite on a free loopback port. */
export async function startKinesalite(): Promise<Kinesalite> {
  const inner = kinesalite({ createStreamMs: 20, deleteStreamMs: 20, updateStreamMs: 20, shardLimit: 100 });
  await new Promise<void>((resolve) => inner.listen(0, '127.0.0.1', resolve));
  const proxy = await startRefusingProxy(inner);
  const region = 'us-east-1';
  const client = new KinesisClient({
    endpoint: proxy.endpoint,
    region,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 10,
  });
  return {
    endpoint: proxy.endpoint,
    region,
    client,
    get refused() {
      return proxy.refused;
    },
    ...streamHelpers(client),
    throttle: (operation, share) => proxy.shares.set(operation, share),
    stop: async () => {
      client.destroy();
      for (const server of [proxy.server, inner]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** The proxy in front of kinesalite that refuses a share of the requests of chosen operations. */
interface RefusingProxy {
  readonly server: Server;
  readonly endpoint: string;
  /** The share of requests (PutRecords: of records) refused, per operation. */
  readonly shares: Map<string, number>;
  readonly refused: number;
}

async function startRefusingProxy(inner: Server): Promise<RefusingProxy> {
  const handle = inner.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const innerUrl = `http://127.0.0.1:${(inner.address() as AddressInfo).port}`;
  const shares = new Map<string, number>();
  let refused = 0;
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const share = shares.get(operation) ?? 0;
    const accessKey = /Credential=([^/]+)\//u.exec(String(req.headers.authorization ?? ''))?.[1];
    if (accessKey !== ACCESS_KEY_ID) {
      // kinesalite takes any signature; Kinesis refuses a key it does not know.
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          __type: 'UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        }),
      );
    } else if (share > 0 && operation === 'PutRecords') {
      void refuseSomeRecords(req, res, innerUrl, share).then(
        (count) => (refused += count),
        (err: unknown) => res.destroy(err as Error),
      );
    } else if (share > 0 && Math.random() < share) {
      refused += 1;
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({ __type: THROTTLED, message: 'Rate exceeded for shard (injected by the test)' }),
      );
    } else {
      handle(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shares,
    get refused() {
      return refused;
    },
  };
}

const THROTTLED = 'ProvisionedThroughputExceededException';

/** The only access key the proxy lets through (any secret): others get `UnrecognizedClientException`. */
const ACCESS_KEY_ID = 'test';

/** Creating, splitting, writing and reading streams through a client. */
function streamHelpers(
  client: KinesisClient,
): Pick<Kinesalite, 'createStream' | 'deleteStream' | 'splitShard' | 'listShards' | 'put' | 'readAll'> {
  const waitActive = async (stream: string): Promise<void> => {
    for (let i = 0; i < 500; i++) {
      const out = await client.send(new DescribeStreamCommand({ StreamName: stream }));
      if (out.StreamDescription?.StreamStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`stream ${stream} did not become ACTIVE`);
  };
  const listShards = async (stream: string): Promise<Shard[]> => {
    const out = await client.send(new ListShardsCommand({ StreamName: stream }));
    return out.Shards ?? [];
  };
  return {
    listShards,
    createStream: async (name, shards) => {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitActive(name);
    },
    deleteStream: (name) => deleteStream(client, name),
    splitShard: async (stream, shardId) => {
      const shard = (await listShards(stream)).find((s) => s.ShardId === shardId);
      if (shard === undefined) throw new Error(`no shard ${shardId} in ${stream}`);
      const start = BigInt(shard.HashKeyRange!.StartingHashKey!);
      const end = BigInt(shard.HashKeyRange!.EndingHashKey!);
      await client.send(
        new SplitShardCommand({
          StreamName: stream,
          ShardToSplit: shardId,
          NewStartingHashKey: String((start + end) / 2n),
        }),
      );
      await waitActive(stream);
    },
    put: async (stream, records) => {
      for (let i = 0; i < records.length; i += 500) {
        let pending = records
          .slice(i, i + 500)
          .map((r) => ({ PartitionKey: r.key, Data: Buffer.from(r.data) }));
        while (pending.length > 0) {
          const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
          pending = pending.filter((_, j) => out.Records?.[j]?.ErrorCode !== undefined);
        }
      }
    },
    readAll: async (stream) => {
      const out: KinesisOutRecord[] = [];
      for (const shard of await listShards(stream))
        out.push(...(await readShard(client, stream, shard.ShardId!)));
      return out;
    },
  };
}

/** Deletes a stream and waits until it is gone. */
async function deleteStream(client: KinesisClient, name: string): Promise<void> {
  await client.send(new DeleteStreamCommand({ StreamName: name }));
  for (let i = 0; i < 500; i++) {
    try {
      await client.send(new DescribeStreamCommand({ StreamName: name }));
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`stream ${name} was not deleted`);
}

/** Every record of a shard so far, in order. */
async function readShard(
  client: KinesisClient,
  stream: string,
  shardId: string,
): Promise<KinesisOutRecord[]> {
  const out: KinesisOutRecord[] = [];
  const start = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  let iterator = start.ShardIterator;
  while (iterator !== undefined) {
    const batch = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    const records = batch.Records ?? [];
    for (const r of records) {
      out.push({
        shardId,
        partitionKey: r.PartitionKey!,
        data: Buffer.from(r.Data!),
        sequenceNumber: r.SequenceNumber!,
      });
    }
    // An open shard's iterator never ends: stop at its current end.
    if (records.length === 0) break;
    iterator = batch.NextShardIterator;
  }
  return out;
}

/** One PutRecords entry, as the AWS SDK sends it (JSON protocol, data in base64). */
interface PutEntry {
  readonly PartitionKey: string;
  readonly Data: string;
  readonly ExplicitHashKey?: string;
}

/**
 * Answers a PutRecords request with some records refused: the others are put (through kinesalite on `innerUrl`),
 * and the answer lists every record in order, the refused ones with `ProvisionedThroughputExceededException`.
 *
 * @returns how many records were refused.
 */
async function refuseSomeRecords(
  req: IncomingMessage,
  res: ServerResponse,
  innerUrl: string,
  share: number,
): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    StreamName: string;
    Records: PutEntry[];
  };
  const isRefused = body.Records.map(() => Math.random() < share);
  const accepted = body.Records.filter((_, i) => !isRefused[i]);
  let results: unknown[] = [];
  if (accepted.length > 0) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'content-length' && name !== 'host') headers[name] = value;
    }
    const answer = await fetch(innerUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...body, Records: accepted }),
    });
    const text = await answer.text();
    if (answer.status !== 200) {
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(text);
      return 0;
    }
    results = (JSON.parse(text) as { Records: unknown[] }).Records;
  }
  let next = 0;
  const records = isRefused.map((refusedHere) =>
    refusedHere
      ? {
          ErrorCode: THROTTLED,
          ErrorMessage: 'Rate exceeded for shard (injected by the test)',
        }
      : results[next++],
  );
  const failed = isRefused.filter(Boolean).length;
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify({ FailedRecordCount: failed, Records: records }));
  return failed;
}
