/** Records for StateFun's generic Kafka and Kinesis egresses (`KafkaProducerRecord`, `KinesisEgressRecord`). */
import {
  KAFKA_PRODUCER_RECORD_TYPENAME,
  KINESIS_EGRESS_RECORD_TYPENAME,
  KafkaProducerRecord,
  KinesisEgressRecord,
} from '@statehouse/protocol';
import { plainBytes } from './bytes.js';
import { InvalidArgumentError, describeValue } from './errors.js';
import { guardedType } from './types/guarded-type.js';
import type { EncodedValue, Type } from './types/type.js';

/** A decoded Kafka egress record. */
export interface KafkaProducerRecordValue {
  /** The topic to produce to. */
  readonly topic: string;
  /** The record key; empty means a null Kafka key. */
  readonly key: string;
  /** The record value. */
  readonly valueBytes: Uint8Array;
}

/** A decoded Kinesis egress record. */
export interface KinesisEgressRecordValue {
  /** The stream to put to. */
  readonly stream: string;
  /** The partition key. */
  readonly partitionKey: string;
  /** The explicit hash key; empty means none. */
  readonly explicitHashKey: string;
  /** The record data. */
  readonly valueBytes: Uint8Array;
}

/** How a record's value is given: with its type, or as text (UTF-8) or bytes. */
export type RecordValue<T> =
  | { readonly type: Type<T>; readonly value: NoInfer<T> }
  | { readonly type?: undefined; readonly value: string | Uint8Array };

/** Options of {@link kafkaEgressRecord}. */
export type KafkaEgressRecordOptions<T> = RecordValue<T> & {
  /** The topic (non-empty). */
  readonly topic: string;
  /**
   * The record key, sent as UTF-8.
   * @default none (null key)
   */
  readonly key?: string;
};

/** Options of {@link kinesisEgressRecord}. */
export type KinesisEgressRecordOptions<T> = RecordValue<T> & {
  /** The stream (non-empty). */
  readonly stream: string;
  /** The partition key (non-empty). */
  readonly partitionKey: string;
  /**
   * An explicit hash key.
   * @default none
   */
  readonly explicitHashKey?: string;
};

/** `type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord`, e.g. to read records in tests. */
export const KafkaProducerRecordType: Type<KafkaProducerRecordValue> = guardedType(
  KAFKA_PRODUCER_RECORD_TYPENAME,
  (record) => KafkaProducerRecord.encode(record).finish(),
  (bytes) => {
    const { topic, key, valueBytes } = KafkaProducerRecord.decode(bytes);
    return { topic, key, valueBytes: plainBytes(valueBytes) };
  },
);

/** `type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord`, e.g. to read records in tests. */
export const KinesisEgressRecordType: Type<KinesisEgressRecordValue> = guardedType(
  KINESIS_EGRESS_RECORD_TYPENAME,
  (record) => KinesisEgressRecord.encode(record).finish(),
  (bytes) => {
    const { stream, partitionKey, explicitHashKey, valueBytes } = KinesisEgressRecord.decode(bytes);
    return { stream, partitionKey, explicitHashKey, valueBytes: plainBytes(valueBytes) };
  },
);

const encoder = new TextEncoder();

function valueBytes<T>(options: RecordValue<T>, builder: string): Uint8Array {
  if (options.type !== undefined) return options.type.serialize(options.value);
  const { value } = options;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new InvalidArgumentError(
    'ERR_SDK_INVALID_EGRESS_RECORD',
    `${builder} got value ${describeValue(value)} without a type: pass { type, value }, a string, or a Uint8Array.`,
  );
}

function required(builder: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(
      'ERR_SDK_INVALID_EGRESS_RECORD',
      `${builder} needs a non-empty ${field}; got ${describeValue(value)}.`,
    );
  }
  return value;
}

function optional(builder: string, field: string, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('ERR_SDK_INVALID_EGRESS_RECORD', `${builder}: ${field} must be a string.`);
  }
  return value;
}

/**
 * Builds a record for a generic Kafka egress (`io.statefun.kafka.v1/egress`).
 *
 * @param options - topic, optional key, and the value with its type (or text / bytes).
 * @returns the encoded record; pass it to `ctx.egress(egressId, record)`.
 * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_EGRESS_RECORD` for an empty topic or a value without type.
 * @example
 * ```ts
 * ctx.egress('example/kafka', kafkaEgressRecord({ topic: 'results', key: userId, type: ResultType, value: result }));
 * ```
 */
export function kafkaEgressRecord<T>(options: KafkaEgressRecordOptions<T>): EncodedValue {
  const builder = 'kafkaEgressRecord';
  const record: KafkaProducerRecordValue = {
    topic: required(builder, 'topic', options.topic),
    key: optional(builder, 'key', options.key),
    valueBytes: valueBytes(options, builder),
  };
  return { typename: KAFKA_PRODUCER_RECORD_TYPENAME, bytes: KafkaProducerRecordType.serialize(record) };
}

/**
 * Builds a record for a generic Kinesis egress (`io.statefun.kinesis.v1/egress`).
 *
 * @param options - stream, partition key, optional explicit hash key, and the value with its type (or text / bytes).
 * @returns the encoded record; pass it to `ctx.egress(egressId, record)`.
 * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_EGRESS_RECORD` for an empty stream or partition key.
 * @example
 * ```ts
 * ctx.egress('example/kinesis', kinesisEgressRecord({ stream: 'results', partitionKey: userId, value: 'done' }));
 * ```
 */
export function kinesisEgressRecord<T>(options: KinesisEgressRecordOptions<T>): EncodedValue {
  const builder = 'kinesisEgressRecord';
  const record: KinesisEgressRecordValue = {
    stream: required(builder, 'stream', options.stream),
    partitionKey: required(builder, 'partitionKey', options.partitionKey),
    explicitHashKey: optional(builder, 'explicitHashKey', options.explicitHashKey),
    valueBytes: valueBytes(options, builder),
  };
  return { typename: KINESIS_EGRESS_RECORD_TYPENAME, bytes: KinesisEgressRecordType.serialize(record) };
}
