import { describe, expect, test } from 'vitest';
import { DefinitionError, SerializationError } from '../errors.js';
import { jsonType } from './json-type.js';

interface Item {
  readonly id: string;
  readonly quantity: number;
}

const ItemSchema = {
  parse(value: unknown): Item {
    const v = value as Partial<Item> | null;
    if (typeof v?.id !== 'string' || typeof v.quantity !== 'number')
      throw new Error('expected {id, quantity}');
    return { id: v.id, quantity: v.quantity };
  },
};

describe('jsonType', () => {
  test('encodes UTF-8 JSON', () => {
    const type = jsonType<Item>('example/item');
    expect(new TextDecoder().decode(type.serialize({ id: 'é', quantity: 2 }))).toBe(
      '{"id":"é","quantity":2}',
    );
    expect(type.deserialize(new TextEncoder().encode('{ "id": "a", "quantity": 1 }'))).toEqual({
      id: 'a',
      quantity: 1,
    });
    expect(type.typename).toBe('example/item');
  });

  test('validates decoded values with the schema', () => {
    const type = jsonType('example/item', { schema: ItemSchema });
    expect(type.deserialize(new TextEncoder().encode('{"id":"a","quantity":1,"extra":true}'))).toEqual({
      id: 'a',
      quantity: 1,
    });
    const bad = new TextEncoder().encode('{"id":"a"}');
    expect(() => type.deserialize(bad)).toThrow(SerializationError);
    expect(() => type.deserialize(bad)).toThrow(
      expect.objectContaining({
        code: 'ERR_SDK_SCHEMA_VALIDATION',
        message: expect.stringContaining('expected {id, quantity}') as string,
      }),
    );
  });

  test('invalid JSON fails with ERR_SDK_DESERIALIZE_FAILED', () => {
    expect(() => jsonType('example/x').deserialize(new TextEncoder().encode('{'))).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_DESERIALIZE_FAILED' }),
    );
  });

  test('values without JSON form fail with ERR_SDK_SERIALIZE_FAILED', () => {
    const type = jsonType<unknown>('example/x');
    expect(() => type.serialize(undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_SERIALIZE_FAILED' }),
    );
    expect(() => type.serialize(1n)).toThrow(expect.objectContaining({ code: 'ERR_SDK_SERIALIZE_FAILED' }));
  });

  test.each(['example', 'example/', '/x', 'a/b/c', ''])(
    'rejects typename %j at definition time',
    (typename) => {
      expect(() => jsonType(typename)).toThrow(DefinitionError);
      expect(() => jsonType(typename)).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }));
    },
  );
});
