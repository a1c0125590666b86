/**
 * An `io.statefun.kinesis.v1/ingress`: reads every shard of its streams with the AWS SDK and ingests each batch
 * exactly once (a batch's messages and the shard's position commit in one store transaction, see
 * `shard-reader.ts`). Shards are discovered with ListShards every few seconds and whenever a shard ends; a shard
 * is read only once its parents are read to their end (or have expired from the stream), so records of a key keep
 * their order across a split or a merge.
 *
 * Where reading starts: at the committed position; on the ingress's first start, `startupPosition` for the shards
 * that exist then (committed at once, so a restart does not move it); every shard found later from its start.
 */
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { Logger } from 'pino';
import type {
  ConnectorPartStatus,
  ConnectorStatus,
  IngressConnector,
  IngressContext,
  KinesisIngressConfig,
  KinesisStreamRoute,
} from '@statehouse/runtime';
import { backoffMs, connectorStatusOf, waitAtMost, WakeableSleeps } from '@statehouse/runtime/internal';
import { createKinesisClient, describeAwsError } from './kinesis-client.js';
import { createdOf, STREAM_MARKER_PART, streamCreatedAt, streamMarker } from './stream-identity.js';
import { kinesisIngressMetrics, type KinesisIngressMetrics } from './kinesis-metrics.js';
import { ShardReader } from './shard-reader.js';
import { formatPosition, parsePosition, TRIM_HORIZON, type ShardPosition } from './shard-position.js';

/** How often shards are listed when none ended, ms (`flink.shard.discovery.intervalmillis`). */
const DEFAULT_DISCOVERY_MS = 10_000;
/** Records per GetRecords (`flink.shard.getrecords.maxrecordcount`; Kinesis allows up to 10,000). */
const DEFAULT_LIMIT = 10_000;
/** Wait after a GetRecords that was not full, ms (`flink.shard.getrecords.intervalmillis`). */
const DEFAULT_INTERVAL_MS = 200;
/** Backoff between failed discoveries, ms. */
const RETRY_MS = { first: 500, max: 30_000 };
/** How long stopping waits for the readers, ms. */
const STOP_WAIT_MS = 5_000;

/** A running Kinesis ingress. */
export class KinesisIngress implements IngressConnector {
  readonly #config: KinesisIngressConfig;
  readonly #ctx: IngressContext;
  readonly #log: Logger;
  readonly #client: KinesisClient;
  readonly #metrics: KinesisIngressMetrics;
  readonly #routes: ReadonlyMap<string, KinesisStreamRoute>;
  /** Committed positions by `stream/shard`; loaded once. */
  #positions: Map<string, ShardPosition> | undefined;
  /** The creation time of each stream the positions belong to (see `stream-identity.ts`). */
  readonly #created = new Map<string, number>();
  /** The readers running, by `stream/shard`. */
  readonly #readers = new Map<string, { reader: ShardReader; done: Promise<void> }>();
  /** The discovery loop's and the readers' waits, ended when stopping (the loop's also when a shard ends). */
  readonly #sleeps: WakeableSleeps;
  #state: ConnectorStatus['state'] = 'connecting';
  #lastError: string | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Set when a shard ends: list shards again now, for its children. */
  #rediscover = false;

  constructor(config: KinesisIngressConfig, ctx: IngressContext) {
    this.#config = config;
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.#client = createKinesisClient(config);
    this.#metrics = kinesisIngressMetrics(ctx.registry);
    this.#routes = new Map(config.streams.map((s) => [s.stream, s]));
    this.#sleeps = new WakeableSleeps(ctx.clock);
  }

  /** Starts reading in the background; resolves at once. */
  start(): Promise<void> {
    this.#loop = this.#run();
    return Promise.resolve();
  }

  /** Stops reading; a batch being committed finishes first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#sleeps.stop();
    const running: Promise<void>[] = [...this.#readers.values()].map((r) => r.done);
    if (this.#loop !== undefined) running.push(this.#loop);
    await waitAtMost(Promise.all(running), STOP_WAIT_MS);
    this.#client.destroy();
    this.#state = 'stopped';
  }

  status(): ConnectorStatus {
    const parts: ConnectorPartStatus[] = [...this.#readers].map(([key, { reader }]) => {
      const [source, part] = splitKey(key);
      return { source, part, position: formatPosition(reader.position), paused: reader.isPaused };
    });
    return connectorStatusOf(this.#config, this.#state, this.#lastError, parts);
  }

  /** Lists shards and starts readers until stopped; a failure backs off and retries. */
  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      try {
        await this.#discover();
        if (failures > 0 || this.#state === 'connecting') this.#recovered();
        failures = 0;
      } catch (err) {
        if (this.#stopping) break;
        failures += 1;
        this.#trouble(err, failures);
      }
      const wait =
        failures > 0
          ? backoffMs(failures, RETRY_MS)
          : this.#property('flink.shard.discovery.intervalmillis', DEFAULT_DISCOVERY_MS);
      if (!this.#rediscover) await this.#sleeps.sleep(wait);
      this.#rediscover = false;
    }
  }

  /** One round: positions (once), the shards of every stream, a reader for each readable shard. */
  async #discover(): Promise<void> {
    const positions = await this.#loadPositions();
    const listed = new Map<string, Shard[]>();
    const created = new Map<string, number>();
    const failed: string[] = [];
    for (const stream of this.#routes.keys()) {
      // A stream that cannot be listed (missing, no permission) holds back neither the others nor their readers.
      try {
        created.set(stream, await streamCreatedAt(this.#client, stream));
        listed.set(stream, await this.#listShards(stream));
      } catch (err) {
        failed.push(`stream ${stream}: ${describeAwsError(err)}`);
      }
    }
    for (const [stream, shards] of listed) {
      const known = this.#created.get(stream);
      const createdMs = created.get(stream)!;
      if (known !== undefined && known !== createdMs)
        await this.#restart(stream, shards, createdMs, positions);
    }
    const fresh = new Map([...listed].filter(([stream]) => !hasPositions(positions, stream)));
    if (fresh.size > 0) await this.#commitStartPositions(fresh, created, positions);
    await this.#markStreams(created);
    this.#startReadable(listed, positions);
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  /** Starts a reader for every listed shard not read yet whose parents are read to their end. */
  #startReadable(listed: ReadonlyMap<string, Shard[]>, positions: Map<string, ShardPosition>): void {
    for (const [stream, shards] of listed) {
      const ids = new Set(shards.map((s) => s.ShardId!));
      for (const shard of shards) {
        const key = keyOf(stream, shard.ShardId!);
        const position = positions.get(key) ?? TRIM_HORIZON;
        if (this.#readers.has(key) || position.type === 'end') continue;
        // Parents first: a parent still listed and not read to its end holds its children back.
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
          (p): p is string => p !== undefined && ids.has(p),
        );
        if (parents.some((p) => positions.get(keyOf(stream, p))?.type !== 'end')) continue;
        this.#startReader(stream, shard.ShardId!, position, positions);
      }
    }
  }

  async #loadPositions(): Promise<Map<string, ShardPosition>> {
    if (this.#positions !== undefined) return this.#positions;
    const positions = new Map<string, ShardPosition>();
    for (const p of await this.#ctx.loadPositions()) {
      if (p.part === STREAM_MARKER_PART) {
        const createdMs = createdOf(p.position);
        if (createdMs !== undefined) this.#created.set(p.source, createdMs);
      } else {
        positions.set(keyOf(p.source, p.part), parsePosition(p.position));
      }
    }
    this.#positions = positions;
    return positions;
  }

  /**
   * A stream's first start (no position committed for any of its shards): where `startupPosition` says, for every
   * shard listed now; committed before reading.
   */
  async #commitStartPositions(
    listed: ReadonlyMap<string, Shard[]>,
    created: ReadonlyMap<string, number>,
    positions: Map<string, ShardPosition>,
  ): Promise<void> {
    const startup = this.#config.startupPosition;
    const position: ShardPosition =
      startup.type === 'earliest'
        ? TRIM_HORIZON
        : {
            type: 'at-timestamp',
            epochMs: startup.type === 'date' ? startup.epochMs : this.#ctx.clock.now(),
          };
    const entries = [...listed].flatMap(([stream, shards]) =>
      shards.map((s) => ({ stream, shardId: s.ShardId! })),
    );
    if (entries.length === 0) return;
    const markers = [...listed.keys()].map((stream) =>
      streamMarker(this.#config.id, stream, created.get(stream)!),
    );
    await this.#ctx.ingest({
      messages: [],
      positions: [
        ...markers,
        ...entries.map((e) => ({
          connector: this.#config.id,
          source: e.stream,
          part: e.shardId,
          position: formatPosition(position),
        })),
      ],
    });
    for (const e of entries) positions.set(keyOf(e.stream, e.shardId), position);
    for (const stream of listed.keys()) this.#created.set(stream, created.get(stream)!);
    this.#log.info(
      { shards: entries.length, position: formatPosition(position) },
      'kinesis ingress start positions committed',
    );
  }

  /** Commits the marker of every stream read without one yet (positions committed by an older version). */
  async #markStreams(created: ReadonlyMap<string, number>): Promise<void> {
    const unmarked = [...created].filter(([stream]) => !this.#created.has(stream));
    if (unmarked.length === 0) return;
    await this.#ctx.ingest({
      messages: [],
      positions: unmarked.map(([stream, createdMs]) => streamMarker(this.#config.id, stream, createdMs)),
    });
    for (const [stream, createdMs] of unmarked) this.#created.set(stream, createdMs);
  }

  /**
   * A stream deleted and created again since its positions were committed: its readers stop (its old sequence
   * numbers are invalid in the new stream) and it is read from its start (every record of the new stream is new):
   * the new positions and marker commit before anything is read.
   */
  async #restart(
    stream: string,
    shards: readonly Shard[],
    createdMs: number,
    positions: Map<string, ShardPosition>,
  ): Promise<void> {
    this.#log.warn(
      { stream, created: new Date(createdMs).toISOString() },
      `kinesis stream ${stream} was deleted and created again since its positions were committed; reading the new stream from its start`,
    );
    const readers = [...this.#readers].filter(([key]) => splitKey(key)[0] === stream);
    for (const [, { reader }] of readers) reader.stop();
    this.#sleeps.wakeAll();
    await Promise.all(readers.map(([, { done }]) => done));
    for (const [key] of readers) this.#readers.delete(key);
    for (const key of [...positions.keys()]) if (splitKey(key)[0] === stream) positions.delete(key);
    await this.#ctx.ingest({
      messages: [],
      positions: [
        streamMarker(this.#config.id, stream, createdMs),
        ...shards.map((s) => ({
          connector: this.#config.id,
          source: stream,
          part: s.ShardId!,
          position: formatPosition(TRIM_HORIZON),
        })),
      ],
    });
    for (const s of shards) positions.set(keyOf(stream, s.ShardId!), TRIM_HORIZON);
    this.#created.set(stream, createdMs);
  }

  async #listShards(stream: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new ListShardsCommand(token === undefined ? { StreamName: stream } : { NextToken: token }),
      );
      shards.push(...(out.Shards ?? []));
      token = out.NextToken;
    } while (token !== undefined);
    return shards;
  }

  #startReader(
    stream: string,
    shardId: string,
    position: ShardPosition,
    positions: Map<string, ShardPosition>,
  ): void {
    const key = keyOf(stream, shardId);
    const reader = new ShardReader(
      {
        client: this.#client,
        log: this.#log,
        ingest: (batch) => this.#ctx.ingest(batch),
        committedPosition: async () => {
          const stored = (await this.#ctx.loadPositions()).find(
            (p) => p.source === stream && p.part === shardId,
          );
          return stored === undefined ? position : parsePosition(stored.position);
        },
        admits: (type) => this.#ctx.admits(type),
        idProblem: (id) => this.#ctx.idProblem(id),
        sleep: (ms) => this.#sleeps.sleep(ms),
        isStopping: () => this.#stopping,
        onBatch: (s, read, skipped, millisBehind) => this.#report(s, shardId, read, skipped, millisBehind),
        onError: (error, throttled) => this.#readerError(stream, error, throttled),
      },
      {
        connector: this.#config.id,
        route: this.#routes.get(stream)!,
        shardId,
        position,
        limit: this.#property('flink.shard.getrecords.maxrecordcount', DEFAULT_LIMIT),
        intervalMs: this.#property('flink.shard.getrecords.intervalmillis', DEFAULT_INTERVAL_MS),
      },
    );
    const done = reader.run().then(() => {
      positions.set(key, reader.position);
      if (reader.position.type === 'end' && !this.#stopping) {
        // Its children may be read now: list shards again at once.
        this.#readers.delete(key);
        this.#rediscover = true;
        this.#sleeps.wakeAll();
      }
    });
    this.#readers.set(key, { reader, done });
  }

  #report(
    stream: string,
    shardId: string,
    read: number,
    skipped: number,
    millisBehind: number | undefined,
  ): void {
    const ingress = this.#config.id;
    if (read - skipped > 0) this.#metrics.records.inc({ ingress, stream }, read - skipped);
    if (skipped > 0) this.#metrics.skipped.inc({ ingress, stream }, skipped);
    if (millisBehind !== undefined)
      this.#metrics.millisBehind.set({ ingress, stream, shard: shardId }, millisBehind);
  }

  #readerError(stream: string, error: string | undefined, throttled: boolean): void {
    if (throttled) this.#metrics.throttled.inc({ ingress: this.#config.id, stream });
    if (error === undefined) {
      if (this.#state === 'retrying') this.#recovered();
      return;
    }
    this.#state = 'retrying';
    this.#lastError = error;
  }

  #recovered(): void {
    if (this.#state !== 'running')
      this.#log.info({ streams: [...this.#routes.keys()] }, `kinesis ingress ${this.#config.id} reading`);
    this.#state = 'running';
    this.#lastError = undefined;
  }

  #trouble(err: unknown, failures: number): void {
    this.#state = 'retrying';
    this.#lastError = describeAwsError(err);
    const line = { err, attempt: failures, streams: [...this.#routes.keys()] };
    if (failures === 1 || failures % 10 === 0)
      this.#log.warn(line, `kinesis ingress ${this.#config.id} cannot list its shards; retrying`);
    else this.#log.debug(line, 'kinesis ingress cannot list its shards; retrying');
  }

  #property(key: string, fallback: number): number {
    const value = this.#config.clientConfigProperties.get(key);
    return value === undefined ? fallback : Number(value);
  }
}

function hasPositions(positions: ReadonlyMap<string, ShardPosition>, stream: string): boolean {
  for (const key of positions.keys()) if (key.startsWith(`${stream}/`)) return true;
  return false;
}

function keyOf(stream: string, shardId: string): string {
  return `${stream}/${shardId}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
