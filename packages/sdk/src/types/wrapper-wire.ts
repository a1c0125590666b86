/**
 * Byte-level encoding of StateFun's one-field wrapper messages (`types.proto`), written by hand so the SDK
 * controls proto3's zero-value rule exactly and can read 64-bit integers without losing precision.
 */

/** Protobuf wire types used by the wrappers. */
export const WireType = { VARINT: 0, FIXED64: 1, LEN: 2, FIXED32: 5 } as const;
/** One of {@link WireType}. */
export type WireType = (typeof WireType)[keyof typeof WireType];

const EMPTY = new Uint8Array(0);

/** Encodes field 1 with a 4-byte little-endian payload (`0D` + 4 bytes). */
export function encodeFixed32Field(write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = (1 << 3) | WireType.FIXED32;
  write(new DataView(out.buffer, 1, 4));
  return out;
}

/** Encodes field 1 with an 8-byte little-endian payload (`09` + 8 bytes). */
export function encodeFixed64Field(write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = (1 << 3) | WireType.FIXED64;
  write(new DataView(out.buffer, 1, 8));
  return out;
}

/** Encodes `true` as field 1 varint (`08 01`); `false` is proto3's default and encodes to nothing. */
export function encodeBoolField(value: boolean): Uint8Array {
  return value ? Uint8Array.of((1 << 3) | WireType.VARINT, 1) : EMPTY;
}

/** Encodes field 1 as length-delimited bytes (`0A` + varint length + bytes); empty encodes to nothing. */
export function encodeLenField(payload: Uint8Array): Uint8Array {
  if (payload.length === 0) return EMPTY;
  const length = encodeVarint(payload.length);
  const out = new Uint8Array(1 + length.length + payload.length);
  out[0] = (1 << 3) | WireType.LEN;
  out.set(length, 1);
  out.set(payload, 1 + length.length);
  return out;
}

/** Encodes a non-negative integer (< 2^53) as a protobuf varint. */
export function encodeVarint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** Field 1 of a wrapper message as read from the wire: its payload, or nothing when absent (zero value). */
export type Field1 =
  | { readonly wireType: typeof WireType.VARINT; readonly varint: bigint }
  | {
      readonly wireType: typeof WireType.LEN | typeof WireType.FIXED32 | typeof WireType.FIXED64;
      readonly bytes: Uint8Array;
    }
  | undefined;

/**
 * Reads field 1 of a wrapper message, skipping unknown fields; the last occurrence wins, as in protobuf.
 *
 * @param bytes - the encoded wrapper message.
 * @param expected - the wire type field 1 must have.
 * @returns the field, or `undefined` when absent.
 * @throws Error when the bytes are not a valid message or field 1 has another wire type.
 */
export function readField1(bytes: Uint8Array, expected: WireType): Field1 {
  const reader = new Reader(bytes);
  let field: Field1;
  while (!reader.done()) {
    const tag = reader.varint();
    const fieldNumber = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (fieldNumber === 0) throw new Error('invalid field number 0');
    if (fieldNumber === 1 && wireType !== expected) {
      throw new Error(`field 1 has wire type ${wireType}, expected ${expected}`);
    }
    switch (wireType) {
      case WireType.VARINT: {
        const varint = reader.varint();
        if (fieldNumber === 1) field = { wireType: WireType.VARINT, varint };
        break;
      }
      case WireType.FIXED64:
      case WireType.FIXED32:
      case WireType.LEN: {
        const size =
          wireType === WireType.FIXED64 ? 8 : wireType === WireType.FIXED32 ? 4 : Number(reader.varint());
        const payload = reader.take(size);
        if (fieldNumber === 1) field = { wireType, bytes: payload };
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return field;
}

class Reader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error('varint longer than 10 bytes');
  }

  take(size: number): Uint8Array {
    if (this.pos + size > this.bytes.length) throw new Error(`truncated field: needs ${size} bytes`);
    const out = this.bytes.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }
}

/** A little-endian view of a fixed-size payload returned by {@link readField1}. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
