/** Byte helpers. */

const EMPTY = new Uint8Array(0);

/**
 * Views bytes as a plain `Uint8Array` (protobufjs hands out Node `Buffer`s), without copying.
 *
 * @param bytes - bytes, possibly a `Buffer`, or nothing.
 * @returns a plain `Uint8Array` over the same memory (empty for nothing).
 */
export function plainBytes(bytes: Uint8Array | null | undefined): Uint8Array {
  if (bytes === null || bytes === undefined || bytes.length === 0) return EMPTY;
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
