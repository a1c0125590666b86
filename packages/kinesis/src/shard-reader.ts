/**
 * Reads one shard of a Kinesis stream into the store, exactly once: each GetRecords batch becomes messages (the
 * partition key is the target id, the data the argument's bytes) that commit in one store transaction with the
 * shard's new position. After a failure (a commit, an expired iterator, throttling, a network error) it asks for a
 * new iterator at the committed position, after a backoff, so nothing is skipped and nothing is read twice into
 * state. A closed shard read to its end commits the position `end`, which lets its children be read.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import type { Logger } from 'pino';
import type { IngestBatch, IngestMessage, KinesisStreamRoute } from '@statehouse/runtime';
import { backoffMs } from '@statehouse/runtime/internal';
import { describeAwsError } from './kinesis-client.js';
import { formatPosition, iteratorRequest, SHARD_END, type ShardPosition } from './shard-position.js';

/** What a shard reader works with. */
export interface ShardReaderDeps {
  readonly client: KinesisClient;
  readonly log: Logger;
  /** Commits messages and positions in one store transaction (see `IngressContext.ingest`). */
  readonly ingest: (batch: IngestBatch) => Promise<void>;
  /** The shard's position as the store holds it now (read again after a failure). */
  readonly committedPosition: () => Promise<ShardPosition>;
  /** Whether the function type takes messages now. */
  readonly admits: (type: string) => boolean;
  readonly idProblem: (id: string) => string | undefined;
  /** Waits, or less when the ingress stops. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly isStopping: () => boolean;
  /** Told what each batch did, for metrics. */
  readonly onBatch: (stream: string, read: number, skipped: number, millisBehind: number | undefined) => void;
  /** Told an error (and that it is over, with `undefined`), for the connector's status. */
  readonly onError: (error: string | undefined, throttled: boolean) => void;
}

/** Which shard, from where, and how. */
export interface ShardReaderOptions {
  readonly connector: string;
  readonly route: KinesisStreamRoute;
  readonly shardId: string;
  readonly position: ShardPosition;
  /** Records per GetRecords (at most 10,000). */
  readonly limit: number;
  /** Wait between GetRecords calls that returned less than a full batch, ms (Kinesis allows 5 reads/s per shard). */
  readonly intervalMs: number;
}

/** How often a reader whose targets are full checks again, ms. */
const PAUSE_CHECK_MS = 100;
/** Backoff after a failure, ms: doubling from the first to the last. */
const RETRY_MS = { first: 250, max: 10_000 };

/** Reads one shard until it ends or the ingress stops. */
export class ShardReader {
  readonly #deps: ShardReaderDeps;
  readonly #options: ShardReaderOptions;
  #position: ShardPosition;
  #paused = false;
  #stopped = false;

  constructor(deps: ShardReaderDeps, options: ShardReaderOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#position = options.position;
  }

  /** The committed position. */
  get position(): ShardPosition {
    return this.#position;
  }

  /** Whether reading waits for a full target type. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Stops reading after the batch under way (its run resolves then; end a sleep under way to hurry it). */
  stop(): void {
    this.#stopped = true;
  }

  /** Reads until the shard ends, the ingress stops or {@link ShardReader.stop} (resolves); never rejects. */
  async run(): Promise<void> {
    let iterator: string | undefined;
    let failures = 0;
    let isPositionKnown = true;
    while (!this.#deps.isStopping() && !this.#stopped && this.#position.type !== 'end') {
      if (!this.#options.route.targets.every((t) => this.#deps.admits(t))) {
        this.#paused = true;
        await this.#deps.sleep(PAUSE_CHECK_MS);
        continue;
      }
      this.#paused = false;
      try {
        if (!isPositionKnown) {
          // A failed commit may have committed all the same (its answer lost with the connection): the store says.
          this.#position = await this.#deps.committedPosition();
          isPositionKnown = true;
          continue;
        }
        iterator ??= await this.#iteratorAt(this.#position);
        const next = await this.#readBatch(iterator);
        iterator = next.iterator;
        if (failures > 0) this.#deps.onError(undefined, false);
        failures = 0;
        if (next.wait) await this.#deps.sleep(this.#options.intervalMs);
      } catch (err) {
        // Read again from the committed position, as the store has it: whatever failed (a commit, an expired
        // iterator) left it where it was, or (a commit whose answer was lost) moved it past the batch.
        iterator = undefined;
        isPositionKnown = false;
        failures += 1;
        this.#failed(err, failures);
        await this.#deps.sleep(backoffMs(failures, RETRY_MS));
      }
    }
  }

  async #iteratorAt(position: ShardPosition): Promise<string> {
    if (position.type === 'end') throw new Error('the shard was read to its end');
    const { stream } = this.#options.route;
    const out = await this.#deps.client.send(
      new GetShardIteratorCommand(iteratorRequest(stream, this.#options.shardId, position)),
    );
    if (out.ShardIterator === undefined)
      throw new Error(`Kinesis returned no iterator for ${stream}/${this.#options.shardId}`);
    return out.ShardIterator;
  }

  /** One GetRecords: commits what it read; says where to read next and whether to wait first. */
  async #readBatch(iterator: string): Promise<{ iterator: string | undefined; wait: boolean }> {
    const { route, limit } = this.#options;
    const out = await this.#deps.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }),
    );
    const records = out.Records ?? [];
    const next = out.NextShardIterator ?? undefined;
    const last = records[records.length - 1];
    if (last !== undefined || next === undefined) {
      const position: ShardPosition =
        next === undefined ? SHARD_END : { type: 'after', sequenceNumber: last!.SequenceNumber! };
      const { messages, skipped } = this.#route(records);
      await this.#deps.ingest({
        messages,
        positions: [
          {
            connector: this.#options.connector,
            source: route.stream,
            part: this.#options.shardId,
            position: formatPosition(position),
          },
        ],
      });
      this.#position = position;
      this.#deps.onBatch(route.stream, records.length, skipped, out.MillisBehindLatest);
      if (next === undefined) {
        this.#deps.log.info(
          { stream: route.stream, shard: this.#options.shardId },
          'kinesis shard read to its end',
        );
      }
    } else {
      this.#deps.onBatch(route.stream, 0, 0, out.MillisBehindLatest);
    }
    return { iterator: next, wait: records.length < limit };
  }

  /** StateFun's routing: the partition key is the target id, the data the argument's bytes, to every target. */
  #route(records: readonly KinesisRecord[]): { messages: IngestMessage[]; skipped: number } {
    const { route } = this.#options;
    const messages: IngestMessage[] = [];
    let skipped = 0;
    for (const record of records) {
      const id = record.PartitionKey ?? '';
      const problem = this.#deps.idProblem(id);
      if (problem !== undefined) {
        skipped += 1;
        this.#deps.log.warn(
          { stream: route.stream, shard: this.#options.shardId, sequenceNumber: record.SequenceNumber },
          `kinesis record skipped: the partition key ${problem}`,
        );
        continue;
      }
      const argument = { typename: route.valueType, value: record.Data ?? new Uint8Array(0) };
      for (const type of route.targets) messages.push({ target: { type, id }, argument });
    }
    return { messages, skipped };
  }

  #failed(err: unknown, failures: number): void {
    const name = (err as { name?: string }).name ?? '';
    const throttled = name === 'ProvisionedThroughputExceededException' || name === 'LimitExceededException';
    const expired = name === 'ExpiredIteratorException';
    const message = describeAwsError(err);
    this.#deps.onError(expired ? undefined : message, throttled);
    const line = { err, stream: this.#options.route.stream, shard: this.#options.shardId, attempt: failures };
    if (expired || throttled)
      this.#deps.log.debug(line, 'kinesis read backs off; reading again from the committed position');
    else if (failures === 1 || failures % 10 === 0)
      this.#deps.log.warn(line, 'kinesis shard cannot be read; retrying from the committed position');
  }
}
