import { describe, expect, it } from 'vitest';
import { routeRecords, type SourceRecord } from './record-router.js';

const route = {
  topic: 'names',
  valueType: 'com.example/Name',
  targets: ['com.example/greeter', 'com.example/audit'],
};
const record = (offset: number, key: string | null, value: string | null): SourceRecord => ({
  offset: String(offset),
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
});
const noProblem = (): undefined => undefined;

describe('routeRecords', () => {
  it('sends the value, unchanged and typed by valueType, to every target, keyed by the record key', () => {
    const { messages, skipped } = routeRecords(
      route,
      [record(7, 'alice', 'A'), record(8, 'bob', 'B')],
      noProblem,
    );
    expect(skipped).toEqual([]);
    expect(
      messages.map((m) => [m.target.type, m.target.id, Buffer.from(m.argument.value).toString()]),
    ).toEqual([
      ['com.example/greeter', 'alice', 'A'],
      ['com.example/audit', 'alice', 'A'],
      ['com.example/greeter', 'bob', 'B'],
      ['com.example/audit', 'bob', 'B'],
    ]);
    expect(messages.every((m) => m.argument.typename === 'com.example/Name')).toBe(true);
  });

  it('skips a record without key or value and says why, and goes on with the next', () => {
    const { messages, skipped } = routeRecords(
      route,
      [record(1, null, 'x'), record(2, 'k', null), record(3, 'k', 'v')],
      noProblem,
    );
    expect(skipped.map((s) => [s.offset, s.reason])).toEqual([
      ['1', 'null-key'],
      ['2', 'null-value'],
    ]);
    expect(messages).toHaveLength(2);
  });

  it('takes an empty key as the id "" and decodes malformed UTF-8 like StateFun (replacement characters)', () => {
    const bad: SourceRecord = { offset: '5', key: Buffer.from([0x61, 0xff]), value: Buffer.from('v') };
    const { messages } = routeRecords(route, [record(4, '', 'v'), bad], noProblem);
    expect(messages.map((m) => m.target.id)).toEqual(['', '', 'a\uFFFD', 'a\uFFFD']);
  });

  it('skips a record whose key cannot be an id', () => {
    const { messages, skipped } = routeRecords(route, [record(9, 'x'.repeat(5), 'v')], (id) =>
      id.length > 3 ? 'is too long' : undefined,
    );
    expect(messages).toEqual([]);
    expect(skipped).toEqual([{ offset: '9', reason: 'invalid-key', detail: 'the record key is too long' }]);
  });
});
