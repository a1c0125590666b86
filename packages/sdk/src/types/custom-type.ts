/** Types with user-supplied serializers. */
import { DefinitionError } from '../errors.js';
import { guardedType } from './guarded-type.js';
import type { Type } from './type.js';

/** How a {@link customType} turns values into bytes and back. */
export interface CustomSerializer<T> {
  /**
   * @param value - the value to encode.
   * @returns its bytes (a `Buffer` is fine).
   */
  serialize(value: T): Uint8Array;
  /**
   * @param bytes - bytes produced by `serialize`.
   * @returns the value.
   */
  deserialize(bytes: Uint8Array): T;
}

/**
 * Defines a type with your own encoding.
 *
 * @param typename - the type's `namespace/name`.
 * @param serializer - how values become bytes and back; errors thrown inside become SDK errors.
 * @returns the type.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_TYPENAME` for a malformed typename, or
 * `ERR_SDK_INVALID_FUNCTION` when `serialize`/`deserialize` are not functions.
 * @example
 * ```ts
 * const Csv = customType<string[]>('example/csv', {
 *   serialize: (cells) => new TextEncoder().encode(cells.join(',')),
 *   deserialize: (bytes) => new TextDecoder().decode(bytes).split(','),
 * });
 * ```
 */
export function customType<T>(typename: string, serializer: CustomSerializer<T>): Type<T> {
  if (typeof serializer?.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
    throw new DefinitionError(
      'ERR_SDK_INVALID_FUNCTION',
      `customType("${typename}") needs { serialize(value): Uint8Array, deserialize(bytes): value }.`,
    );
  }
  return guardedType(
    typename,
    (value) => serializer.serialize(value),
    (bytes) => serializer.deserialize(bytes),
  );
}
