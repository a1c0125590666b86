import { KafkaProducerRecord, KinesisEgressRecord } from '@statehouse/protocol';
import { describe, expect, test } from 'vitest';
import {
  KafkaProducerRecordType,
  KinesisEgressRecordType,
  kafkaEgressRecord,
  kinesisEgressRecord,
} from './egress-records.js';
import { InvalidArgumentError } from './errors.js';
import { jsonType } from './types/json-type.js';

const Result = jsonType<{ ok: boolean }>('example/result');

describe('egress records', () => {
  test('kafkaEgressRecord encodes a KafkaProducerRecord with its typename', () => {
    const record = kafkaEgressRecord({ topic: 'results', key: 'Kim', type: Result, value: { ok: true } });
    expect(record.typename).toBe('type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord');
    const decoded = KafkaProducerRecord.decode(record.bytes);
    expect({ topic: decoded.topic, key: decoded.key }).toEqual({ topic: 'results', key: 'Kim' });
    expect(new TextDecoder().decode(decoded.valueBytes)).toBe('{"ok":true}');
    expect(KafkaProducerRecordType.deserialize(record.bytes).topic).toBe('results');
  });

  test('kafkaEgressRecord takes text and bytes, and no key', () => {
    const text = KafkaProducerRecordType.deserialize(kafkaEgressRecord({ topic: 't', value: 'hé' }).bytes);
    expect(text).toEqual({ topic: 't', key: '', valueBytes: new TextEncoder().encode('hé') });
    const bytes = KafkaProducerRecordType.deserialize(
      kafkaEgressRecord({ topic: 't', value: Uint8Array.of(1, 2) }).bytes,
    );
    expect(bytes.valueBytes).toEqual(Uint8Array.of(1, 2));
  });

  test('kinesisEgressRecord encodes a KinesisEgressRecord with its typename', () => {
    const record = kinesisEgressRecord({ stream: 's', partitionKey: 'p', explicitHashKey: 'h', value: 'v' });
    expect(record.typename).toBe('type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord');
    const decoded = KinesisEgressRecord.decode(record.bytes);
    expect([decoded.stream, decoded.partitionKey, decoded.explicitHashKey]).toEqual(['s', 'p', 'h']);
    expect(KinesisEgressRecordType.deserialize(record.bytes)).toEqual({
      stream: 's',
      partitionKey: 'p',
      explicitHashKey: 'h',
      valueBytes: new TextEncoder().encode('v'),
    });
  });

  test.each([
    ['an empty topic', () => kafkaEgressRecord({ topic: '', value: 'v' })],
    ['an empty stream', () => kinesisEgressRecord({ stream: '', partitionKey: 'p', value: 'v' })],
    ['an empty partition key', () => kinesisEgressRecord({ stream: 's', partitionKey: '', value: 'v' })],
    ['an untyped number', () => kafkaEgressRecord({ topic: 't', value: 7 as never })],
    ['a non-string key', () => kafkaEgressRecord({ topic: 't', key: 7 as never, value: 'v' })],
  ])('rejects %s', (_name, build) => {
    expect(build).toThrow(InvalidArgumentError);
    expect(build).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_EGRESS_RECORD' }));
  });
});
