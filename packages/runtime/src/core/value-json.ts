/**
 * The JSON view of a typed value, as the HTTP API answers it (state, egress reads) and the HTTP egress ships it:
 * its typename, its bytes in base64, and the value decoded for humans when it can be.
 */
import {
  BOOL_TYPENAME,
  BooleanWrapper,
  DOUBLE_TYPENAME,
  DoubleWrapper,
  FLOAT_TYPENAME,
  FloatWrapper,
  INT_TYPENAME,
  IntWrapper,
  LONG_TYPENAME,
  LongWrapper,
  STRING_TYPENAME,
  StringWrapper,
} from '@statehouse/protocol';

/** A typed value, such as a `StoredValue` of the store. */
interface TypedBytes {
  readonly typename: string;
  readonly value: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A UTF-16 surrogate without its pair: not Unicode text, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** A typed value as the HTTP API returns it and the HTTP egress ships it. */
export interface ApiValue {
  readonly type: string;
  /** The value's bytes, base64. */
  readonly bytes: string;
  /** The decoded value, when the type is well known or the bytes are UTF-8 JSON. */
  readonly json?: unknown;
}

/**
 * Renders a stored value for the API: `json` holds the decoded value of the well-known
 * `io.statefun.types/*` types, the parsed value when the bytes are UTF-8 JSON, and is absent otherwise.
 */
export function toApiValue(v: TypedBytes): ApiValue {
  const base = {
    type: v.typename,
    bytes: Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('base64'),
  };
  const json = decodeJson(v);
  return json === undefined ? base : { ...base, json: json.value };
}

function decodeJson(v: TypedBytes): { value: unknown } | undefined {
  try {
    switch (v.typename) {
      case BOOL_TYPENAME:
        return { value: BooleanWrapper.decode(v.value).value };
      case INT_TYPENAME:
        return { value: IntWrapper.decode(v.value).value };
      case LONG_TYPENAME:
        return { value: Number(LongWrapper.decode(v.value).value) };
      case FLOAT_TYPENAME:
        return { value: FloatWrapper.decode(v.value).value };
      case DOUBLE_TYPENAME:
        return { value: DoubleWrapper.decode(v.value).value };
      case STRING_TYPENAME:
        return { value: StringWrapper.decode(v.value).value };
    }
  } catch {
    return undefined;
  }
  if (v.value.byteLength === 0) return undefined;
  try {
    return { value: JSON.parse(utf8.decode(v.value)) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The bytes of a value given as JSON, by its type: the inverse of {@link toApiValue}'s `json` (the protobuf
 * wrapper of a well-known `io.statefun.types/*` type, UTF-8 JSON for any other type).
 *
 * @param type - the value's typename.
 * @param json - the value.
 * @returns its bytes.
 * @throws Error when the value does not fit a well-known type (e.g. `"abc"` for an int), naming both.
 */
export function bytesOfJson(type: string, json: unknown): Uint8Array {
  const wrapped = (encoder: { encode(m: { value: never }): { finish(): Uint8Array } }): Uint8Array =>
    encoder.encode({ value: json as never }).finish();
  const expect = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`a value of type ${type} must be ${what}, got ${JSON.stringify(json)}`);
  };
  switch (type) {
    case BOOL_TYPENAME:
      expect(typeof json === 'boolean', 'true or false');
      return wrapped(BooleanWrapper);
    case INT_TYPENAME:
      expect(
        Number.isInteger(json) && Math.abs(json as number) <= 2 ** 31 && (json as number) < 2 ** 31,
        'a whole number from -2^31 to 2^31-1',
      );
      return wrapped(IntWrapper);
    case LONG_TYPENAME:
      // Larger longs are exact only as bytes (base64): JSON numbers and this runtime's numbers stop at 2^53.
      expect(Number.isSafeInteger(json), 'a whole number within ±(2^53-1) (give larger ones as bytes)');
      return wrapped(LongWrapper);
    case FLOAT_TYPENAME:
    case DOUBLE_TYPENAME:
      expect(typeof json === 'number', 'a number');
      return wrapped(type === FLOAT_TYPENAME ? FloatWrapper : DoubleWrapper);
    case STRING_TYPENAME:
      expect(
        typeof json === 'string' && !LONE_SURROGATE.test(json),
        'a string of valid Unicode (no lone surrogate)',
      );
      return wrapped(StringWrapper);
    default:
      // Another type of StateFun's own namespace has no JSON form here: give its bytes.
      expect(!type.startsWith('io.statefun.types/'), 'given as bytes (base64): it has no JSON form');
      return Buffer.from(JSON.stringify(json), 'utf8');
  }
}
