/**
 * An `io.statefun.kafka.v1/ingress`: consumes its topics with kafkajs and ingests every batch of records exactly
 * once. The messages a batch became and the partition's next offset commit in one store transaction
 * (`IngressContext.ingest`); the store, not the consumer group, is the source of truth for positions: every
 * assigned partition is sought to the committed position, and records below it are never ingested again. Offsets
 * go to the consumer group as well, every few seconds, for lag monitoring only.
 *
 * Nothing a broker or a record does stops the runtime: a broker that is down, a topic that does not exist or a
 * failed commit is retried with backoff (the connector shows `retrying` and the error), a record without key or
 * value is skipped and counted, and while a target function type is full the partition is paused (Kafka is the
 * buffer) instead of answering anyone with 503.
 */
import { Kafka, type Consumer, type EachBatchPayload, type IMemberAssignment } from 'kafkajs';
import type { Logger } from 'pino';
import type {
  ConnectorStatus,
  IngressConnector,
  IngressContext,
  KafkaIngressConfig,
  KafkaTopicRoute,
} from '@statehouse/runtime';
import { backoffMs, connectorStatusOf, WakeableSleeps } from '@statehouse/runtime/internal';
import { configuredClient, consumerConfig } from './client-config.js';
import { STOP_WAIT_MS, waitAtMost } from './bounded-wait.js';
import { kafkaLogCreator } from './kafka-log.js';
import { IngressPartitions } from './ingress-partitions.js';
import { kafkaIngressMetrics, type KafkaIngressMetrics } from './kafka-metrics.js';
import { routeRecords, type SkippedRecord } from './record-router.js';
import { resolveStartPositions, type PartitionOffset } from './start-positions.js';

/** Partitions whose batches are ingested concurrently (kafkajs `partitionsConsumedConcurrently`). */
const PARTITIONS_AT_ONCE = 8;

/**
 * How often committed positions are copied to the consumer group, and the partitions' high watermarks read (so
 * the lag of a paused or idle partition is known too), ms.
 */
const MONITOR_INTERVAL_MS = 5_000;
/** How often a paused partition checks whether its targets take messages again, ms. */
const PAUSE_CHECK_MS = 100;
/** Backoff between attempts to (re)connect, ms: doubling from the first to the last. */
const RETRY_MS = { first: 500, max: 30_000 };

/** A running Kafka ingress. */
export class KafkaIngress implements IngressConnector {
  readonly #config: KafkaIngressConfig;
  readonly #ctx: IngressContext;
  readonly #log: Logger;
  readonly #metrics: KafkaIngressMetrics;
  readonly #kafka: Kafka;
  readonly #routes: ReadonlyMap<string, KafkaTopicRoute>;
  readonly #partitions: IngressPartitions;
  #state: ConnectorStatus['state'] = 'connecting';
  #lastError: string | undefined;
  #positionsLoaded = false;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #consumer: Consumer | undefined;
  /** Settles once the partitions of the latest assignment are sought to their positions. */
  #joined: Promise<void> = Promise.resolve();
  /** Ends the current consumer's run with an error (it then reconnects after a backoff). */
  #failRun: ((err: Error) => void) | undefined;
  /** The loop's backoff and batches' pauses after a failed commit, ended when stopping. */
  readonly #sleeps: WakeableSleeps;
  #monitorTimer: ReturnType<typeof setInterval> | undefined;
  #monitoring = false;

  constructor(config: KafkaIngressConfig, ctx: IngressContext) {
    this.#config = config;
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.#metrics = kafkaIngressMetrics(ctx.registry);
    this.#partitions = new IngressPartitions(config.id, this.#metrics);
    this.#sleeps = new WakeableSleeps(ctx.clock);
    this.#routes = new Map(config.topics.map((t) => [t.topic, t]));
    this.#kafka = new Kafka({
      ...configuredClient(config),
      logCreator: kafkaLogCreator(ctx.log),
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
  }

  /** Starts consuming in the background; resolves at once. */
  start(): Promise<void> {
    this.#loop = this.#runLoop();
    this.#monitorTimer = setInterval(() => void this.#monitor(), MONITOR_INTERVAL_MS);
    this.#monitorTimer.unref();
    return Promise.resolve();
  }

  /** Stops consuming; a batch being committed finishes first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#monitorTimer);
    this.#sleeps.stop();
    this.#failRun?.(new Error('stopping'));
    if (this.#loop !== undefined) await waitAtMost(this.#loop, STOP_WAIT_MS);
    this.#state = 'stopped';
  }

  status(): ConnectorStatus {
    return connectorStatusOf(this.#config, this.#state, this.#lastError, this.#partitions.status());
  }

  /** Consumes until stopped; every failure (brokers down, unknown topic, a crashed consumer) backs off and retries. */
  async #runLoop(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      try {
        await this.#consume();
        failures = 0;
      } catch (err) {
        if (this.#stopping) break;
        failures += 1;
        this.#state = 'retrying';
        this.#lastError = (err as Error).message;
        const line = { err, attempt: failures, brokers: this.#config.brokers.join(',') };
        if (failures === 1 || failures % 10 === 0)
          this.#log.warn(line, `kafka ingress ${this.#config.id} cannot consume; retrying`);
        else this.#log.debug(line, 'kafka ingress cannot consume; retrying');
      }
      if (this.#stopping) break;
      await this.#sleeps.sleep(backoffMs(failures + 1, RETRY_MS));
    }
  }

  /** One consumer's life: positions, connect, subscribe, run until it fails or the ingress stops. */
  async #consume(): Promise<void> {
    // After a failure it stays `retrying` (with the error) until it consumes again.
    if (this.#state !== 'retrying') this.#state = 'connecting';
    await this.#preparePositions();
    const consumer = this.#kafka.consumer(
      consumerConfig(this.#config.consumerGroupId, this.#config.properties),
    );
    this.#consumer = consumer;
    const ended = new Promise<Error>((resolve) => (this.#failRun = resolve));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.#failRun?.(payload.error);
      else this.#troubled(payload.error.message);
    });
    // A broker that stops answering shows up here (kafkajs retries on its own): say so until a fetch completes.
    consumer.on(consumer.events.FETCH, () => this.#recovered());
    consumer.on(consumer.events.REQUEST_TIMEOUT, ({ payload }) =>
      this.#troubled(
        `a request to broker ${payload.broker} (${payload.apiName}) timed out after ${payload.pendingDuration} ms`,
      ),
    );
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#joined = this.#onAssigned(consumer, payload.memberAssignment);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.#routes.keys()],
        fromBeginning: this.#config.autoOffsetResetPosition === 'earliest',
      });
      await consumer.run({
        autoCommit: false,
        // The batches of several partitions are ingested at once, so their inbox rows share group commits (one
        // partition at a time waits for a commit per partition batch); each partition's batches stay in order.
        partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#onBatch(consumer, payload),
      });
      this.#state = 'running';
      this.#lastError = undefined;
      this.#log.info({ topics: [...this.#routes.keys()] }, `kafka ingress ${this.#config.id} consuming`);
      const error = await ended;
      if (!this.#stopping) throw error;
    } finally {
      this.#consumer = undefined;
      this.#failRun = undefined;
      await consumer.disconnect().catch(() => undefined);
    }
  }

  /**
   * Loads the committed positions (once) and resolves and commits the start of every partition without one:
   * by `startupPosition` on the ingress's first start, from the earliest offset for partitions added later.
   */
  async #preparePositions(): Promise<void> {
    if (!this.#positionsLoaded) {
      this.#partitions.load(await this.#ctx.loadPositions());
      this.#positionsLoaded = true;
    }
    await this.#resolveMissing(this.#partitions.hasPositions);
  }

  async #resolveMissing(onlyEarliest: boolean): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    let missing: PartitionOffset[];
    try {
      missing = await resolveStartPositions(
        admin,
        this.#config,
        (topic, partition) => this.#partitions.positionOf(topic, partition) !== undefined,
        onlyEarliest,
        (entry) =>
          this.#log.warn(
            { entry },
            `kafka ingress ${this.#config.id}: a specific-offsets entry does not apply`,
          ),
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (missing.length === 0) return;
    await this.#ctx.ingest({
      messages: [],
      positions: missing.map((m) => this.#position(m.topic, m.partition, m.offset)),
    });
    for (const m of missing) this.#partitions.started(m.topic, m.partition, m.offset);
    this.#log.info(
      { positions: missing.map((m) => `${m.topic}/${m.partition}@${m.offset}`) },
      'kafka ingress start positions committed',
    );
  }

  /** Seeks every assigned partition to its committed position (resolving partitions new to the ingress first). */
  async #onAssigned(consumer: Consumer, assignment: IMemberAssignment): Promise<void> {
    try {
      const assigned = Object.entries(assignment).flatMap(([topic, ps]) =>
        ps.map((partition) => ({ topic, partition })),
      );
      if (assigned.some((a) => this.#partitions.positionOf(a.topic, a.partition) === undefined))
        await this.#resolveMissing(true);
      this.#partitions.assign(assigned);
      for (const { topic, partition } of assigned) {
        consumer.seek({ topic, partition, offset: String(this.#partitions.positionOf(topic, partition)!) });
      }
    } catch (err) {
      this.#failRun?.(err as Error);
    }
  }

  async #onBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    await this.#joined;
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale()) return;
    const next = this.#partitions.positionOf(batch.topic, batch.partition);
    const route = this.#routes.get(batch.topic);
    if (next === undefined || route === undefined) return;
    this.#partitions.sawHighWatermark(batch.topic, batch.partition, BigInt(batch.highWatermark), false);
    const records = batch.messages.filter((m) => BigInt(m.offset) >= next);
    if (records.length === 0) return;
    if (!route.targets.every((t) => this.#ctx.admits(t))) {
      this.#pauseUntilAdmitted(consumer, route, batch.partition, next);
      return;
    }
    const routed = routeRecords(route, records, (id) => this.#ctx.idProblem(id));
    const lastOffset = records[records.length - 1]!.offset;
    const after = BigInt(lastOffset) + 1n;
    try {
      await this.#ctx.ingest({
        messages: routed.messages,
        positions: [this.#position(batch.topic, batch.partition, after)],
      });
    } catch (err) {
      // Read it again from the committed position, after a pause.
      this.#log.warn(
        { err, topic: batch.topic, partition: batch.partition, offset: String(next) },
        'kafka ingress could not commit a batch; reading it again',
      );
      consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(next) });
      await this.#sleeps.sleep(RETRY_MS.first);
      await this.#resumeFromStore(consumer, batch.topic, batch.partition, next);
      return;
    }
    this.#partitions.advanced(batch.topic, batch.partition, after);
    this.#report(batch.topic, batch.partition, records.length, routed.skipped);
    payload.resolveOffset(lastOffset);
    await payload.heartbeat();
  }

  /**
   * After a failed commit: a commit whose answer was lost with the connection may have committed all the same, so
   * the partition goes on from the position the store holds. If the store cannot say, the consumer restarts and
   * reloads every position first.
   */
  async #resumeFromStore(consumer: Consumer, topic: string, partition: number, next: bigint): Promise<void> {
    let stored: bigint;
    try {
      const position = (await this.#ctx.loadPositions()).find(
        (p) => p.source === topic && Number(p.part) === partition,
      );
      stored = position === undefined ? next : BigInt(position.position);
    } catch (err) {
      this.#positionsLoaded = false;
      this.#failRun?.(err as Error);
      return;
    }
    if (stored === next) return;
    this.#log.info(
      { topic, partition, offset: String(stored) },
      'the failed commit had committed: reading on after it',
    );
    this.#partitions.advanced(topic, partition, stored);
    consumer.seek({ topic, partition, offset: String(stored) });
  }

  #report(topic: string, partition: number, read: number, skipped: readonly SkippedRecord[]): void {
    const ingress = this.#config.id;
    this.#metrics.records.inc({ ingress, topic }, read - skipped.length);
    for (const s of skipped) {
      this.#metrics.skipped.inc({ ingress, topic, reason: s.reason });
      this.#log.warn(
        { topic, partition, offset: s.offset, reason: s.reason },
        `kafka record skipped: ${s.detail}`,
      );
    }
  }

  /** A fetch completed: trouble reported by {@link KafkaIngress.#troubled} is over. */
  #recovered(): void {
    if (this.#state !== 'retrying' || this.#consumer === undefined) return;
    this.#state = 'running';
    this.#lastError = undefined;
    this.#log.info(`kafka ingress ${this.#config.id} reads again`);
  }

  /** The consumer runs but kafkajs reports trouble it retries by itself: `retrying` with the error until a fetch completes. */
  #troubled(error: string): void {
    if (this.#stopping) return;
    if (this.#state !== 'retrying')
      this.#log.warn({ error }, `kafka ingress ${this.#config.id} has trouble reading; kafkajs retries`);
    this.#state = 'retrying';
    this.#lastError = error;
  }

  /** Pauses a partition whose targets are full; it reads again from `next` once they all take messages. */
  #pauseUntilAdmitted(consumer: Consumer, route: KafkaTopicRoute, partition: number, next: bigint): void {
    const { topic } = route;
    consumer.seek({ topic, partition, offset: String(next) });
    consumer.pause([{ topic, partitions: [partition] }]);
    const part = this.#partitions.assignedOf(topic, partition);
    if (part !== undefined) part.paused = true;
    const check = (): void => {
      if (this.#stopping || this.#consumer !== consumer) return;
      if (!route.targets.every((t) => this.#ctx.admits(t))) {
        this.#ctx.clock.setTimeout(check, PAUSE_CHECK_MS);
        return;
      }
      if (part !== undefined) part.paused = false;
      try {
        consumer.resume([{ topic, partitions: [partition] }]);
      } catch (err) {
        // A timer has no caller to reject to: the consumer stopped meanwhile, and its next run seeks anew.
        this.#log.debug({ err, topic, partition }, 'resuming a paused partition failed');
      }
    };
    this.#ctx.clock.setTimeout(check, PAUSE_CHECK_MS);
  }

  /** One round of monitoring (never two at once): group offsets, then high watermarks. */
  async #monitor(): Promise<void> {
    if (this.#monitoring || this.#stopping) return;
    this.#monitoring = true;
    try {
      await this.#commitGroupOffsets();
      await this.#readWatermarks();
    } finally {
      this.#monitoring = false;
    }
  }

  /** Reads the high watermark of every assigned partition and updates its lag. */
  async #readWatermarks(): Promise<void> {
    if (this.#consumer === undefined || !this.#partitions.hasAssigned) return;
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      for (const { topic } of this.#config.topics) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic))
          this.#partitions.sawHighWatermark(topic, partition, BigInt(high), true);
      }
    } catch (err) {
      this.#log.debug({ err }, 'reading the high watermarks failed; trying again later');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Copies committed positions to the consumer group (lag monitoring; never read back as the truth). */
  async #commitGroupOffsets(): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const offsets = this.#partitions.takeGroupOffsets();
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (err) {
      this.#log.debug({ err }, 'copying offsets to the consumer group failed; trying again later');
    }
  }

  #position(topic: string, partition: number, offset: bigint) {
    return { connector: this.#config.id, source: topic, part: String(partition), position: String(offset) };
  }
}
