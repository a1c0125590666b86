import { KafkaProducerRecord } from '@statehouse/protocol';
import { describe, expect, test } from 'vitest';
import { DefinitionError } from '../errors.js';
import { protobufType } from './protobuf-type.js';

describe('protobufType', () => {
  test('takes a protobufjs static class', () => {
    const type = protobufType(
      'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord',
      KafkaProducerRecord,
    );
    const bytes = type.serialize(KafkaProducerRecord.create({ topic: 't', key: 'k' }));
    expect(bytes).toEqual(KafkaProducerRecord.encode({ topic: 't', key: 'k' }).finish());
    expect(type.deserialize(bytes)).toMatchObject({ topic: 't', key: 'k' });
  });

  test('takes adapter functions returning bytes (e.g. @bufbuild/protobuf toBinary/fromBinary)', () => {
    const type = protobufType<{ topic: string }>('example/record', {
      encode: (m) => KafkaProducerRecord.encode(m).finish(),
      decode: (b) => ({ topic: KafkaProducerRecord.decode(b).topic }),
    });
    expect(type.deserialize(type.serialize({ topic: 'x' }))).toEqual({ topic: 'x' });
  });

  test('a decode failure is ERR_SDK_DESERIALIZE_FAILED', () => {
    const type = protobufType('example/record', KafkaProducerRecord);
    expect(() => type.deserialize(Uint8Array.of(0x0a, 0x05))).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_DESERIALIZE_FAILED' }),
    );
  });

  test('rejects a codec without encode/decode', () => {
    expect(() => protobufType('example/record', {} as never)).toThrow(DefinitionError);
  });
});
