import { describe, expect, test } from 'vitest';
import { DefinitionError, SerializationError } from '../errors.js';
import { customType } from './custom-type.js';

describe('customType', () => {
  const Csv = customType<string[]>('example/csv', {
    serialize: (cells) => new TextEncoder().encode(cells.join(',')),
    deserialize: (bytes) => new TextDecoder().decode(bytes).split(','),
  });

  test('uses the given serializer', () => {
    expect(Csv.deserialize(Csv.serialize(['a', 'b']))).toEqual(['a', 'b']);
    expect(Object.isFrozen(Csv)).toBe(true);
  });

  test('wraps serializer failures in coded errors', () => {
    const Broken = customType<number>('example/broken', {
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: () => {
        throw new Error('nope');
      },
    });
    expect(() => Broken.serialize(1)).toThrow(SerializationError);
    expect(() => Broken.serialize(1)).toThrow('Cannot serialize a value as example/broken: nope.');
    expect(() => Broken.deserialize(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_DESERIALIZE_FAILED', cause: expect.any(Error) as Error }),
    );
  });

  test('a serializer must return bytes', () => {
    const Wrong = customType<number>('example/wrong', {
      serialize: () => 'text' as unknown as Uint8Array,
      deserialize: () => 1,
    });
    expect(() => Wrong.serialize(1)).toThrow(expect.objectContaining({ code: 'ERR_SDK_SERIALIZE_FAILED' }));
  });

  test('rejects a missing serializer and a bad typename', () => {
    expect(() => customType('example/x', { serialize: () => new Uint8Array() } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_FUNCTION' }),
    );
    expect(() => customType('x', { serialize: () => new Uint8Array(), deserialize: () => 1 })).toThrow(
      DefinitionError,
    );
  });
});
