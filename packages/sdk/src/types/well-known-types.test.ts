import {
  BooleanWrapper,
  DoubleWrapper,
  FloatWrapper,
  IntWrapper,
  LongWrapper,
  StringWrapper,
} from '@statehouse/protocol';
import { describe, expect, test } from 'vitest';
import { SerializationError } from '../errors.js';
import { fromHex, toHex } from '../../test/support/wire.js';
import { BoolType, DoubleType, FloatType, IntType, LongType, StringType } from './well-known-types.js';

const hex = (text: string): string => text.replace(/\s+/g, '').toLowerCase();

describe('well-known types: golden bytes', () => {
  test.each([
    ['int 1', IntType.serialize(1), '0D 01 00 00 00'],
    ['int -1', IntType.serialize(-1), '0D FF FF FF FF'],
    ['int max', IntType.serialize(2_147_483_647), '0D FF FF FF 7F'],
    ['int 0', IntType.serialize(0), ''],
    ['long 1n', LongType.serialize(1n), '09 01 00 00 00 00 00 00 00'],
    ['long 2^53 + 1', LongType.serialize(9_007_199_254_740_993n), '09 01 00 00 00 00 00 20 00'],
    ['long -1n', LongType.serialize(-1n), '09 FF FF FF FF FF FF FF FF'],
    ['long 0n', LongType.serialize(0n), ''],
    ['float 1.5', FloatType.serialize(1.5), '0D 00 00 C0 3F'],
    ['float 0', FloatType.serialize(0), ''],
    ['float -0', FloatType.serialize(-0), '0D 00 00 00 80'],
    ['double 1.5', DoubleType.serialize(1.5), '09 00 00 00 00 00 00 F8 3F'],
    ['double 0', DoubleType.serialize(0), ''],
    ['bool true', BoolType.serialize(true), '08 01'],
    ['bool false', BoolType.serialize(false), ''],
    ['string "hi"', StringType.serialize('hi'), '0A 02 68 69'],
    ['string ""', StringType.serialize(''), ''],
    ['string "é"', StringType.serialize('é'), '0A 02 C3 A9'],
  ])('%s', (_name, bytes, expected) => {
    expect(toHex(bytes)).toBe(hex(expected));
  });

  test('a 200-byte string has a two-byte varint length', () => {
    expect(toHex(StringType.serialize('a'.repeat(200)).subarray(0, 3))).toBe('0ac801');
  });

  test('typenames are StateFun’s', () => {
    expect([IntType, LongType, FloatType, DoubleType, BoolType, StringType].map((t) => t.typename)).toEqual([
      'io.statefun.types/int',
      'io.statefun.types/long',
      'io.statefun.types/float',
      'io.statefun.types/double',
      'io.statefun.types/bool',
      'io.statefun.types/string',
    ]);
  });
});

describe('well-known types: decoding', () => {
  test('empty bytes are the zero value', () => {
    const empty = new Uint8Array(0);
    expect([IntType, FloatType, DoubleType].map((t) => t.deserialize(empty))).toEqual([0, 0, 0]);
    expect(LongType.deserialize(empty)).toBe(0n);
    expect(BoolType.deserialize(empty)).toBe(false);
    expect(StringType.deserialize(empty)).toBe('');
  });

  test('round-trips', () => {
    for (const v of [0, 1, -1, 2_147_483_647, -2_147_483_648])
      expect(IntType.deserialize(IntType.serialize(v))).toBe(v);
    for (const v of [0n, 1n, -(2n ** 63n), 2n ** 63n - 1n])
      expect(LongType.deserialize(LongType.serialize(v))).toBe(v);
    for (const v of [0, -0, 1.5, Math.PI, Number.NaN, Infinity]) {
      expect(DoubleType.deserialize(DoubleType.serialize(v))).toBe(v);
      expect(FloatType.deserialize(FloatType.serialize(v))).toBe(Math.fround(v));
    }
    for (const v of [true, false]) expect(BoolType.deserialize(BoolType.serialize(v))).toBe(v);
    for (const v of ['', 'hi', '日本語 🎉']) expect(StringType.deserialize(StringType.serialize(v))).toBe(v);
  });

  test('agree with the protocol package’s generated wrappers', () => {
    expect(IntWrapper.decode(IntType.serialize(-7)).value).toBe(-7);
    // protobufjs decodes 64-bit fields as Long objects despite the generated .d.ts saying number.
    expect(Number(LongWrapper.decode(LongType.serialize(123_456_789_012n)).value)).toBe(123_456_789_012);
    expect(FloatWrapper.decode(FloatType.serialize(0.25)).value).toBe(0.25);
    expect(DoubleWrapper.decode(DoubleType.serialize(0.1)).value).toBe(0.1);
    expect(BooleanWrapper.decode(BoolType.serialize(true)).value).toBe(true);
    expect(StringWrapper.decode(StringType.serialize('hé')).value).toBe('hé');
    expect(IntType.deserialize(IntWrapper.encode({ value: 42 }).finish())).toBe(42);
    expect(StringType.deserialize(StringWrapper.encode({ value: 'x' }).finish())).toBe('x');
  });

  test('unknown fields are skipped and the last field 1 wins', () => {
    // field 2 varint 5, field 1 = 1, field 3 bytes "ab", field 1 = 2
    expect(IntType.deserialize(fromHex('10 05 0D 01 00 00 00 1A 02 61 62 0D 02 00 00 00'))).toBe(2);
  });

  test('malformed bytes fail with ERR_SDK_DESERIALIZE_FAILED', () => {
    for (const [type, bytes] of [
      [IntType, '0D 01 00'],
      [IntType, '08 01'],
      [StringType, '0A 05 68'],
      [BoolType, '08 FF'],
    ] as const) {
      const error = catchError(() => type.deserialize(fromHex(bytes)));
      expect(error).toBeInstanceOf(SerializationError);
      expect(error).toMatchObject({ code: 'ERR_SDK_DESERIALIZE_FAILED' });
      expect((error as Error).message).toContain(type.typename);
    }
  });
});

describe('well-known types: serialize validation', () => {
  test.each([
    ['int 1.5', () => IntType.serialize(1.5)],
    ['int 2^31', () => IntType.serialize(2 ** 31)],
    ['int "1"', () => IntType.serialize('1' as unknown as number)],
    ['long 2^63', () => LongType.serialize(2n ** 63n)],
    ['long number', () => LongType.serialize(1 as unknown as bigint)],
    ['float string', () => FloatType.serialize('x' as unknown as number)],
    ['bool 1', () => BoolType.serialize(1 as unknown as boolean)],
    ['string null', () => StringType.serialize(null as unknown as string)],
  ])('%s fails with ERR_SDK_SERIALIZE_FAILED', (_name, run) => {
    const error = catchError(run);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ code: 'ERR_SDK_SERIALIZE_FAILED', retryable: false });
  });

  test('the message shows the value and what is expected', () => {
    expect(() => IntType.serialize(2 ** 31)).toThrow(
      'Cannot serialize 2147483648 as io.statefun.types/int: expected an integer between -2147483648 and 2147483647.',
    );
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
