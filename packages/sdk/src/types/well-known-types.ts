/**
 * The well-known `io.statefun.types/*` types, encoded exactly as StateFun's protobuf wrapper messages.
 * Zero values (0, 0n, false, "") encode to empty bytes, as proto3 does; they are still present values.
 */
import {
  BOOL_TYPENAME,
  DOUBLE_TYPENAME,
  FLOAT_TYPENAME,
  INT_TYPENAME,
  LONG_TYPENAME,
  STRING_TYPENAME,
} from '@statehouse/protocol';
import { SerializationError, describeError, describeValue } from '../errors.js';
import type { Type } from './type.js';
import {
  WireType,
  encodeBoolField,
  encodeFixed32Field,
  encodeFixed64Field,
  encodeLenField,
  readField1,
  viewOf,
} from './wrapper-wire.js';

const EMPTY = new Uint8Array(0);
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function wellKnownType<T>(
  typename: string,
  expected: string,
  isValid: (value: unknown) => value is T,
  encode: (value: T) => Uint8Array,
  decode: (bytes: Uint8Array) => T,
): Type<T> {
  return Object.freeze({
    typename,
    serialize(value: T): Uint8Array {
      if (!isValid(value)) {
        throw new SerializationError(
          'ERR_SDK_SERIALIZE_FAILED',
          `Cannot serialize ${describeValue(value)} as ${typename}: expected ${expected}.`,
        );
      }
      return encode(value);
    },
    deserialize(bytes: Uint8Array): T {
      try {
        return decode(bytes);
      } catch (error) {
        throw new SerializationError(
          'ERR_SDK_DESERIALIZE_FAILED',
          `Cannot deserialize ${bytes.length} bytes as ${typename}: ${describeError(error)}. ` +
            `Check that the sender used the same type.`,
          { cause: error },
        );
      }
    },
  });
}

function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX;
}

function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && BigInt.asIntN(64, value) === value;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function fixed(
  bytes: Uint8Array,
  wireType: typeof WireType.FIXED32 | typeof WireType.FIXED64,
): DataView | undefined {
  const field = readField1(bytes, wireType);
  return field !== undefined && 'bytes' in field ? viewOf(field.bytes) : undefined;
}

/**
 * `io.statefun.types/int`: a 32-bit signed integer (`IntWrapper`, sfixed32). `1` encodes to `0D 01 00 00 00`.
 * Serializing a number that is not an integer in [-2^31, 2^31 - 1] throws `ERR_SDK_SERIALIZE_FAILED`.
 */
export const IntType: Type<number> = wellKnownType(
  INT_TYPENAME,
  'an integer between -2147483648 and 2147483647',
  isInt32,
  (value) => (value === 0 ? EMPTY : encodeFixed32Field((view) => view.setInt32(0, value, true))),
  (bytes) => fixed(bytes, WireType.FIXED32)?.getInt32(0, true) ?? 0,
);

/**
 * `io.statefun.types/long`: a 64-bit signed integer (`LongWrapper`, sfixed64), as a `bigint` so no precision
 * is lost. `1n` encodes to `09 01 00 00 00 00 00 00 00`.
 */
export const LongType: Type<bigint> = wellKnownType(
  LONG_TYPENAME,
  'a bigint between -2^63 and 2^63 - 1 (write 5n, or BigInt(x))',
  isInt64,
  (value) => (value === 0n ? EMPTY : encodeFixed64Field((view) => view.setBigInt64(0, value, true))),
  (bytes) => fixed(bytes, WireType.FIXED64)?.getBigInt64(0, true) ?? 0n,
);

/**
 * `io.statefun.types/float`: a 32-bit IEEE-754 float (`FloatWrapper`); values are rounded with `Math.fround`.
 * `+0` encodes to empty bytes; `-0` is kept (as the Java and Go SDKs do).
 */
export const FloatType: Type<number> = wellKnownType(
  FLOAT_TYPENAME,
  'a number',
  isNumber,
  (value) => (Object.is(value, 0) ? EMPTY : encodeFixed32Field((view) => view.setFloat32(0, value, true))),
  (bytes) => fixed(bytes, WireType.FIXED32)?.getFloat32(0, true) ?? 0,
);

/** `io.statefun.types/double`: a 64-bit IEEE-754 float (`DoubleWrapper`). `+0` encodes to empty bytes. */
export const DoubleType: Type<number> = wellKnownType(
  DOUBLE_TYPENAME,
  'a number',
  isNumber,
  (value) => (Object.is(value, 0) ? EMPTY : encodeFixed64Field((view) => view.setFloat64(0, value, true))),
  (bytes) => fixed(bytes, WireType.FIXED64)?.getFloat64(0, true) ?? 0,
);

/** `io.statefun.types/bool` (`BooleanWrapper`). `true` encodes to `08 01`, `false` to empty bytes. */
export const BoolType: Type<boolean> = wellKnownType(
  BOOL_TYPENAME,
  'a boolean',
  isBoolean,
  encodeBoolField,
  (bytes) => {
    const field = readField1(bytes, WireType.VARINT);
    return field !== undefined && 'varint' in field ? field.varint !== 0n : false;
  },
);

/** `io.statefun.types/string`: UTF-8 text (`StringWrapper`). `"hi"` encodes to `0A 02 68 69`, `""` to empty. */
export const StringType: Type<string> = wellKnownType(
  STRING_TYPENAME,
  'a string',
  isString,
  (value) => encodeLenField(utf8Encoder.encode(value)),
  (bytes) => {
    const field = readField1(bytes, WireType.LEN);
    return field !== undefined && 'bytes' in field ? utf8Decoder.decode(field.bytes) : '';
  },
);
