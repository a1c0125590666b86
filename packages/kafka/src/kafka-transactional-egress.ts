/**
 * An `io.statefun.kafka.v1/egress` with `deliverySemantic: exactly-once`: every batch the egress shipper hands over
 * is produced in one Kafka transaction together with a *position record* (the egress-log offset the batch ends at)
 * in the egress's positions topic, so Kafka itself records how far the egress log was shipped, atomically with the
 * records. After a crash or any failure the sink fences the previous producer (same transactional id: the broker
 * aborts its open transaction) and reads the last committed position record back with `read_committed`; the shipper
 * then continues from there. The store's egress cursor is only a copy of that position (for retention and lag).
 *
 * Kafka names: transactional id `transactional.id` (default `statehouse.<egress id>`, `/` and other characters
 * Kafka does not allow in topic names replaced by `.`), positions topic `<transactional id>.positions` (one
 * partition; created when missing if the brokers allow it; compaction may be set, the key is the egress id).
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  kafkaPositionsTopic,
  kafkaTransactionalId,
  type EgressContext,
  type EgressRecord,
  type EgressSink,
  type KafkaEgressConfig,
} from '@statehouse/runtime';
import { STOP_WAIT_MS, waitAtMost } from './bounded-wait.js';
import { compressionOf } from './compression.js';
import { egressClient, kafkaMessages, requestsOf, undecodableSkipper } from './kafka-egress.js';
import { kafkaEgressMetrics, type KafkaEgressMetrics } from './kafka-metrics.js';

/**
 * The `event` fields of the log lines of an exactly-once Kafka egress (`recovered` at info, the others at debug
 * level), each with `egress`, and `position` or `from` and `next` (egress-log offsets): what tools and tests follow
 * rather than the lines' text.
 */
export const KAFKA_EGRESS_EVENTS = Object.freeze({
  recovered: 'kafka-egress.position-recovered',
  begun: 'kafka-egress.transaction-begun',
  committed: 'kafka-egress.transaction-committed',
} as const);

/** The value of a position record: the egress-log offset shipped up to, and the last record it covers. */
export interface PositionRecord {
  /** The egress id (also the record key). */
  readonly egress: string;
  /** Every egress-log record below this offset is in Kafka, committed. */
  readonly next: number;
  /** The record at `next − 1`, to tell this store's log from another's: its creation time and producer. */
  readonly last: { readonly createdAt: number; readonly producer: string };
}

/** How far back from the end of the positions topic a read starts (the last records are ours). */
const POSITIONS_TAIL = 50;

/** The sink of one exactly-once Kafka egress. */
export class KafkaTransactionalSink implements EgressSink {
  readonly id: string;
  readonly target: string;
  /** One transaction carries up to this many records. */
  readonly batchSize = 1_000;
  readonly transactionalId: string;
  readonly positionsTopic: string;
  readonly #config: KafkaEgressConfig;
  readonly #kafka: Kafka;
  readonly #log: Logger;
  readonly #metrics: KafkaEgressMetrics;
  readonly #compression: CompressionTypes;
  /** The producer of the current attempt; dropped after any failure (a new one fences it). */
  #producer: Producer | undefined;

  constructor(config: KafkaEgressConfig, ctx: EgressContext) {
    this.id = config.id;
    this.target = config.brokers.join(',');
    this.#config = config;
    this.#log = ctx.log;
    this.#metrics = kafkaEgressMetrics(ctx.registry);
    this.#compression = compressionOf(config.properties);
    this.#kafka = egressClient(config, ctx.log);
    this.transactionalId = kafkaTransactionalId(config);
    this.positionsTopic = kafkaPositionsTopic(this.transactionalId);
  }

  /**
   * Fences every earlier producer of this transactional id (its open transaction is aborted), then reads the last
   * committed position record.
   *
   * @returns the offset Kafka has every record below, or `cursor` when Kafka holds no position of this store's log.
   */
  async recover(
    cursor: number,
    recordAt: (offset: number) => Promise<EgressRecord | undefined>,
  ): Promise<number> {
    await this.#dropProducer();
    const producer = this.#kafka.producer({
      transactionalId: this.transactionalId,
      transactionTimeout: this.#transactionTimeoutMs(),
      // One request in flight: records of one key keep their order. (Sends inside a transaction are idempotent
      // anyway; kafkajs's `idempotent` flag is about sends outside transactions, which this producer never makes.)
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Kafka's own partitioner (murmur2 of the key), as StateFun's producer and every Java client use.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    this.#producer = producer;
    // Taking the producer id fences the producers before this one and ends their open transaction.
    await (await producer.transaction()).abort();
    const found = await this.#readLastPosition();
    const position = await this.#trusted(found, cursor, recordAt);
    this.#log.info(
      {
        event: KAFKA_EGRESS_EVENTS.recovered,
        egress: this.id,
        transactionalId: this.transactionalId,
        position,
        storeCursor: cursor,
      },
      'kafka egress position recovered',
    );
    return position;
  }

  async deliver(records: readonly EgressRecord[]): Promise<void> {
    const producer = this.#producer;
    if (producer === undefined) throw new Error('the transactional producer was not recovered');
    const last = records[records.length - 1]!;
    const from = records[0]!.offset;
    const next = last.offset + 1;
    const topicMessages = kafkaMessages(
      this.id,
      records,
      undecodableSkipper(this.id, this.#metrics, this.#log),
    );
    const position: PositionRecord = {
      egress: this.id,
      next,
      last: { createdAt: last.createdAt, producer: `${last.producer.type}/${last.producer.id}` },
    };
    this.#log.debug(
      { event: KAFKA_EGRESS_EVENTS.begun, egress: this.id, from, next },
      'kafka egress transaction begun',
    );
    try {
      const transaction = await producer.transaction();
      try {
        for (const request of requestsOf(topicMessages))
          await transaction.sendBatch({ topicMessages: request, acks: -1, compression: this.#compression });
        // The position last, once the brokers hold every record before it: a position record written in the same
        // request as the records could land while some of them do not (a crash between the brokers' answers).
        // A broker hides it anyway until the commit; librdkafka's mock does not, and the tests read positions there.
        await transaction.send({
          topic: this.positionsTopic,
          messages: [{ key: this.id, value: JSON.stringify(position), partition: 0 }],
          acks: -1,
        });
        await transaction.commit();
      } catch (err) {
        await transaction.abort().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      // Whether the commit landed is unknown: the next attempt recovers the position from Kafka first.
      await this.#dropProducer();
      throw err;
    }
    this.#log.debug(
      { event: KAFKA_EGRESS_EVENTS.committed, egress: this.id, from, next },
      'kafka egress transaction committed',
    );
    for (const t of topicMessages) {
      if (t.topic !== this.positionsTopic)
        this.#metrics.records.inc({ egress: this.id, topic: t.topic }, t.messages.length);
    }
  }

  async close(): Promise<void> {
    await this.#dropProducer();
  }

  #transactionTimeoutMs(): number {
    const semantic = this.#config.deliverySemantic;
    return semantic.type === 'exactly-once' ? semantic.transactionTimeoutMs : 60_000;
  }

  async #dropProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    if (producer !== undefined) await waitAtMost(producer.disconnect(), STOP_WAIT_MS);
  }

  /**
   * The offsets of partition 0 of the positions topic, which is created first (one partition, compacted) when it is
   * missing and the brokers allow it. One admin connection for both.
   */
  async #positionsRange(): Promise<{ low: bigint; high: bigint }> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.positionsTopic)) {
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: this.positionsTopic,
                numPartitions: 1,
                configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
              },
            ],
          });
        } catch (err) {
          throw new Error(
            `kafka egress ${this.id}: its positions topic ${this.positionsTopic} does not exist and could not be created (${(err as Error).message}); create it with 1 partition (cleanup.policy=compact), see docs/connectors.md`,
          );
        }
      }
      const [partition] = (await admin.fetchTopicOffsets(this.positionsTopic)).filter(
        (p) => p.partition === 0,
      );
      if (partition === undefined) throw new Error(`topic ${this.positionsTopic} has no partition 0`);
      return { low: BigInt(partition.low), high: BigInt(partition.high) };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** The last committed position record of this egress in the positions topic, if any. */
  async #readLastPosition(): Promise<PositionRecord | undefined> {
    const { low, high } = await this.#positionsRange();
    // Step back from the end until a record of this egress shows up (other egresses may share the topic).
    let tail = BigInt(POSITIONS_TAIL);
    for (let start = high; start > low; tail *= 4n) {
      start = high - tail > low ? high - tail : low;
      const found = await this.#readRange(start, high);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Reads `[from, to)` of partition 0 of the positions topic (read_committed) and returns this egress's last. */
  async #readRange(from: bigint, to: bigint): Promise<PositionRecord | undefined> {
    const consumer = this.#kafka.consumer({
      groupId: `statehouse-positions-${randomUUID()}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    let last: PositionRecord | undefined;
    await consumer.connect();
    try {
      let done!: () => void;
      const reached = new Promise<void>((resolve) => (done = resolve));
      await consumer.subscribe({ topics: [this.positionsTopic] });
      consumer.on(consumer.events.GROUP_JOIN, () =>
        consumer.seek({ topic: this.positionsTopic, partition: 0, offset: String(from) }),
      );
      // Also emitted for batches of only aborted records or transaction markers, which eachBatch never sees.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.partition === 0 && BigInt(payload.lastOffset) + 1n >= to) done();
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== 0) return;
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= to) break;
            if (message.key?.toString() !== this.id || message.value === null) continue;
            last = JSON.parse(message.value.toString()) as PositionRecord;
          }
          await Promise.resolve();
        },
      });
      await Promise.race([
        reached,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`reading ${this.positionsTopic} took more than 30 s`)),
            30_000,
          ).unref(),
        ),
      ]);
    } finally {
      await waitAtMost(
        consumer.disconnect().catch(() => undefined),
        STOP_WAIT_MS,
      );
    }
    return last;
  }

  /** The found position when it belongs to this store's egress log, else the store's cursor (with a warning). */
  async #trusted(
    found: PositionRecord | undefined,
    cursor: number,
    recordAt: (offset: number) => Promise<EgressRecord | undefined>,
  ): Promise<number> {
    if (found === undefined || found.next === cursor) return cursor;
    const record = found.next > 0 ? await recordAt(found.next - 1) : undefined;
    const matches =
      record !== undefined &&
      record.createdAt === found.last.createdAt &&
      `${record.producer.type}/${record.producer.id}` === found.last.producer;
    if (matches && found.next > cursor) return found.next;
    this.#log.warn(
      { egress: this.id, positionsTopic: this.positionsTopic, kafka: found.next, storeCursor: cursor },
      found.next > cursor
        ? 'the positions topic holds a position of another egress log (a data directory started afresh?); shipping from the store cursor'
        : 'the positions topic is behind the store cursor (topic recreated or records deleted?); shipping from the store cursor',
    );
    return cursor;
  }
}
