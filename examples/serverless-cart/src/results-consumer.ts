/**
 * The consumer of the demo: reads the `cart-results` stream from its start, every shard, polling GetRecords, and
 * collects each record as the AddToCart outcome it holds.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { AddToCartResult } from '@statehouse/example-shopping-cart/src/messages.js';

/** One record of the results stream. */
export interface CartResultRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly value: AddToCartResult;
}

/** A running consumer. */
export interface ResultsConsumer {
  /** Every record read so far, shard by shard in each shard's order (a record put twice is read twice). */
  readonly records: readonly CartResultRecord[];
  /** The last read error, if the last poll failed (the consumer keeps polling). */
  readonly lastError: unknown;
  /** Stops polling; resolves once the poll in flight is done. */
  stop(): Promise<void>;
}

const POLL_MS = 100;

/**
 * Starts reading a stream from TRIM_HORIZON on each of its shards (as listed at start: the demo does not reshard).
 *
 * @param client - a Kinesis client.
 * @param stream - the stream to read.
 * @returns the consumer; its `records` fill as records arrive.
 */
export async function startResultsConsumer(client: KinesisClient, stream: string): Promise<ResultsConsumer> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const iterators = new Map<string, string | undefined>();
  for (const shard of shards) {
    const start = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    iterators.set(shard.ShardId!, start.ShardIterator);
  }
  const records: CartResultRecord[] = [];
  let lastError: unknown;
  let stopped = false;
  const pollOnce = async (): Promise<void> => {
    for (const [shardId, iterator] of iterators) {
      if (iterator === undefined) continue;
      const batch = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of batch.Records ?? []) {
        records.push({
          shardId,
          partitionKey: r.PartitionKey!,
          sequenceNumber: r.SequenceNumber!,
          value: JSON.parse(Buffer.from(r.Data!).toString('utf8')) as AddToCartResult,
        });
      }
      iterators.set(shardId, batch.NextShardIterator);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        await pollOnce();
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    records,
    get lastError() {
      return lastError;
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
