import { INT_TYPENAME, IntWrapper, STRING_TYPENAME, StringWrapper } from '@statehouse/protocol';
import { describe, expect, it } from 'vitest';

import { toApiValue } from './value-json.js';

const utf8 = new TextEncoder();

describe('toApiValue', () => {
  it('decodes the well-known types', () => {
    const value = StringWrapper.encode({ value: 'hi' }).finish();
    expect(toApiValue({ typename: STRING_TYPENAME, value })).toEqual({
      type: STRING_TYPENAME,
      bytes: Buffer.from(value).toString('base64'),
      json: 'hi',
    });
    expect(toApiValue({ typename: INT_TYPENAME, value: IntWrapper.encode({ value: 7 }).finish() }).json).toBe(
      7,
    );
  });

  it('parses UTF-8 JSON bytes of any other type', () => {
    const value = utf8.encode('{"items":2}');
    expect(toApiValue({ typename: 'example/Cart', value })).toEqual({
      type: 'example/Cart',
      bytes: Buffer.from(value).toString('base64'),
      json: { items: 2 },
    });
  });

  it('leaves json out when the bytes are neither', () => {
    for (const value of [new Uint8Array(), new Uint8Array([0xff, 0xfe]), utf8.encode('not json')]) {
      expect(toApiValue({ typename: 'example/Blob', value })).not.toHaveProperty('json');
    }
  });
});
