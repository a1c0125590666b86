/**
 * An `io.statefun.kafka.v1/egress`: the runtime's egress shipper hands this sink the committed records of the
 * egress in order, at least once; each is a `KafkaProducerRecord` (checked when the function's reply was
 * validated) and is produced to its topic, key = the record's key (UTF-8; none when empty), value = its bytes, with
 * a `statehouse-record-id` header (`<egress id>/<offset>`) that stays the same when a batch is sent again, so
 * consumers can drop duplicates. One batch at a time, one request in flight per broker: records of one key keep
 * their order. `deliverySemantic: none` does not retry a failed batch (it is counted as dropped).
 */
import {
  Kafka,
  type CompressionTypes,
  Partitioners,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaProducerRecord } from '@statehouse/protocol';
import {
  isKafkaTopicName,
  KAFKA_TOPIC_SYNTAX,
  type EgressContext,
  type EgressRecord,
  type EgressSink,
  type KafkaEgressConfig,
  type StoredValue,
} from '@statehouse/runtime';
import { configuredClient } from './client-config.js';
import { compressionOf } from './compression.js';
import { STOP_WAIT_MS, waitAtMost } from './bounded-wait.js';
import { kafkaLogCreator } from './kafka-log.js';
import { kafkaEgressMetrics, type KafkaEgressMetrics } from './kafka-metrics.js';

/** The typename every StateFun SDK gives a Kafka egress record (`kafkaEgressMessage`). */
export const KAFKA_PRODUCER_RECORD_TYPENAME =
  'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord';

/** The header carrying a record's stable id. */
export const RECORD_ID_HEADER = 'statehouse-record-id';

/**
 * Why a value cannot go to a Kafka egress, or `undefined` when it can.
 *
 * @returns a phrase naming what is wrong and what is expected.
 */
export function kafkaRecordProblem(value: StoredValue): string | undefined {
  if (value.typename !== KAFKA_PRODUCER_RECORD_TYPENAME) {
    return `a Kafka egress takes records of type ${KAFKA_PRODUCER_RECORD_TYPENAME} (kafkaEgressMessage in the SDKs), got ${JSON.stringify(value.typename)}`;
  }
  let record: KafkaProducerRecord;
  try {
    record = KafkaProducerRecord.decode(value.value);
  } catch (err) {
    return `the KafkaProducerRecord does not decode: ${(err as Error).message}`;
  }
  if (record.topic === '') return 'the KafkaProducerRecord names no topic';
  // A broker refuses the name: the record would hold every later record of the egress back, retried forever.
  if (!isKafkaTopicName(record.topic))
    return `the KafkaProducerRecord's topic ${JSON.stringify(record.topic)} is not ${KAFKA_TOPIC_SYNTAX}`;
  return undefined;
}

/** The sink of one Kafka egress. */
export class KafkaEgressSink implements EgressSink {
  readonly id: string;
  readonly target: string;
  /** One produce request carries up to this many records (one request in flight, so it sets the throughput). */
  readonly batchSize = 1_000;
  readonly #config: KafkaEgressConfig;
  readonly #log: Logger;
  readonly #metrics: KafkaEgressMetrics;
  readonly #producer: Producer;
  readonly #acks: number;
  readonly #compression: CompressionTypes;
  #connected: Promise<void> | undefined;

  constructor(config: KafkaEgressConfig, ctx: EgressContext) {
    this.id = config.id;
    this.target = config.brokers.join(',');
    this.#config = config;
    this.#log = ctx.log;
    this.#metrics = kafkaEgressMetrics(ctx.registry);
    const kafka = egressClient(config, ctx.log);
    // One request in flight: a retried request cannot overtake a later one, so per-key order holds.
    this.#producer = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const acks = config.properties.get('acks') ?? 'all';
    this.#acks = acks === 'all' ? -1 : Number(acks);
    this.#compression = compressionOf(config.properties);
  }

  async deliver(records: readonly EgressRecord[]): Promise<void> {
    const topicMessages = kafkaMessages(
      this.id,
      records,
      undecodableSkipper(this.id, this.#metrics, this.#log),
    );
    try {
      this.#connected ??= this.#producer.connect().catch((err: unknown) => {
        this.#connected = undefined;
        throw err;
      });
      await this.#connected;
      for (const request of requestsOf(topicMessages))
        await this.#producer.sendBatch({
          topicMessages: request,
          acks: this.#acks,
          compression: this.#compression,
        });
    } catch (err) {
      if (this.#config.deliverySemantic.type !== 'none') throw err;
      // `none`: no retries; the batch is counted and left behind.
      this.#metrics.dropped.inc({ egress: this.id, reason: 'send-failed' }, records.length);
      this.#log.warn({ err, records: records.length }, 'kafka egress batch dropped (deliverySemantic none)');
      return;
    }
    for (const t of topicMessages)
      this.#metrics.records.inc({ egress: this.id, topic: t.topic }, t.messages.length);
  }

  async close(): Promise<void> {
    if (this.#connected === undefined) return;
    await waitAtMost(this.#producer.disconnect(), STOP_WAIT_MS);
  }
}

/** Counts and logs a record left out because it does not decode (see {@link kafkaMessages}). */
export function undecodableSkipper(
  egressId: string,
  metrics: KafkaEgressMetrics,
  log: Logger,
): (offset: number) => void {
  return (offset) => {
    metrics.dropped.inc({ egress: egressId, reason: 'undecodable' });
    log.warn({ offset }, 'kafka egress record does not decode; skipped');
  };
}

/** The Kafka client of an egress document (brokers, TLS, SASL, client id, logging, retries). */
export function egressClient(config: KafkaEgressConfig, log: Logger): Kafka {
  return new Kafka({
    ...configuredClient(config),
    logCreator: kafkaLogCreator(log),
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/**
 * Egress records as Kafka messages by topic, in offset order: key = the record's key (none when empty), value =
 * its bytes, header {@link RECORD_ID_HEADER} = `<egress id>/<offset>`.
 *
 * @param onUndecodable - told the offset of a record that does not decode (checked when the reply was validated:
 *   only a record committed by an older version can get here); it is left out.
 */
export function kafkaMessages(
  egressId: string,
  records: readonly EgressRecord[],
  onUndecodable: (offset: number) => void,
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    let record: KafkaProducerRecord;
    try {
      record = KafkaProducerRecord.decode(r.value.value);
    } catch {
      onUndecodable(r.offset);
      continue;
    }
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({
      key: record.key === '' ? null : record.key,
      value: Buffer.from(record.valueBytes),
      headers: { [RECORD_ID_HEADER]: `${egressId}/${r.offset}` },
    });
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Payload bytes (keys, values, headers) of one produce request at most. Brokers refuse a record batch over
 * `message.max.bytes` (about 1 MB by default) and kafkajs puts each partition's records of a request into one batch,
 * so a delivery is split into requests of this size, sent one after another (inside the same transaction for an
 * exactly-once egress). A single record above it goes alone.
 */
export const MAX_REQUEST_PAYLOAD_BYTES = 512 * 1024;

/** Splits a delivery into requests of at most `maxBytes` of payload each, keeping every topic's record order. */
export function requestsOf(
  topicMessages: readonly TopicMessages[],
  maxBytes = MAX_REQUEST_PAYLOAD_BYTES,
): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request = new Map<string, Message[]>();
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      const size = payloadBytes(m);
      if (bytes > 0 && bytes + size > maxBytes) {
        requests.push(toTopicMessages(request));
        request = new Map();
        bytes = 0;
      }
      const list = request.get(topic) ?? [];
      list.push(m);
      request.set(topic, list);
      bytes += size;
    }
  }
  if (bytes > 0) requests.push(toTopicMessages(request));
  return requests;
}

function toTopicMessages(request: ReadonlyMap<string, Message[]>): TopicMessages[] {
  return [...request].map(([topic, messages]) => ({ topic, messages }));
}

/** A record's key, value and header bytes, plus a record's framing (about 70 bytes). */
function payloadBytes(m: Message): number {
  let bytes = 70 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [name, value] of Object.entries(m.headers ?? {})) bytes += name.length + String(value).length;
  return bytes;
}
