import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, SerializationError } from './errors.js';
import { StateStore } from './state-store.js';
import { jsonType } from './types/json-type.js';
import type { EncodedValue } from './types/type.js';
import { IntType, StringType } from './types/well-known-types.js';
import { valueSpec } from './value-spec.js';

const Items = jsonType<Record<string, number>>('example/items');
const specs = { count: valueSpec(IntType), items: valueSpec(Items), name: valueSpec(StringType) };
const json = (text: string): EncodedValue => ({
  typename: Items.typename,
  bytes: new TextEncoder().encode(text),
});
const int = (n: number): EncodedValue => ({ typename: IntType.typename, bytes: IntType.serialize(n) });

function store(received: Record<string, EncodedValue> = {}): StateStore {
  return new StateStore(specs, new Map(Object.entries(received)));
}

describe('StateStore', () => {
  test('untouched and read-only states produce no mutation', () => {
    const s = store({ count: int(1), items: json('{ "a": 1 }') });
    expect(s.view['count']).toBe(1);
    // JSON written with other formatting (e.g. by Python) is not a change.
    expect(s.view['items']).toEqual({ a: 1 });
    expect(s.changes()).toEqual([]);
  });

  test('setting the same value produces no mutation', () => {
    const s = store({ count: int(1) });
    s.view['count'] = 1;
    s.view['name'] = undefined;
    expect(s.changes()).toEqual([]);
  });

  test('set, delete and in-place changes produce MODIFY / DELETE in declaration order', () => {
    const s = store({ count: int(1), items: json('{"a":1}') });
    s.view['name'] = 'Kim';
    (s.view['items'] as Record<string, number>)['b'] = 2;
    delete s.view['count'];
    expect(s.changes()).toEqual([
      { kind: 'delete', name: 'count' },
      { kind: 'modify', name: 'items', value: json('{"a":1,"b":2}') },
      {
        kind: 'modify',
        name: 'name',
        value: { typename: StringType.typename, bytes: StringType.serialize('Kim') },
      },
    ]);
  });

  test('zero values are present values, encoded as empty bytes', () => {
    const s = store();
    s.view['count'] = 0;
    s.view['name'] = '';
    expect(s.changes()).toEqual([
      { kind: 'modify', name: 'count', value: { typename: IntType.typename, bytes: new Uint8Array(0) } },
      { kind: 'modify', name: 'name', value: { typename: StringType.typename, bytes: new Uint8Array(0) } },
    ]);
    const t = store({ count: { typename: IntType.typename, bytes: new Uint8Array(0) } });
    expect(t.view['count']).toBe(0);
    expect('count' in t.view).toBe(true);
  });

  test('set then reset to the original value produces no mutation', () => {
    const s = store({ count: int(3) });
    s.view['count'] = 4;
    s.view['count'] = 3;
    expect(s.changes()).toEqual([]);
  });

  test('a wrong value fails at the assignment', () => {
    const s = store();
    expect(() => {
      s.view['count'] = 1.5;
    }).toThrow(SerializationError);
    expect(s.changes()).toEqual([]);
  });

  test('a received value of another type fails when read', () => {
    const s = store({ count: { typename: StringType.typename, bytes: StringType.serialize('x') } });
    expect(() => s.view['count']).toThrow(expect.objectContaining({ code: 'ERR_SDK_TYPE_MISMATCH' }));
    expect(() => s.view['count']).toThrow(SerializationError);
  });

  test('undeclared states cannot be set or deleted', () => {
    const s = store();
    expect(() => {
      s.view['other'] = 1;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      s.view['other'] = 1;
    }).toThrow('Cannot set state "other": it is not declared (declared: "count", "items", "name")');
    expect(s.view['other']).toBeUndefined();
  });

  test('the view lists declared states', () => {
    const s = store({ count: int(2) });
    expect(Object.keys(s.view)).toEqual(['count', 'items', 'name']);
    expect({ ...s.view }).toEqual({ count: 2, items: undefined, name: undefined });
  });
});
