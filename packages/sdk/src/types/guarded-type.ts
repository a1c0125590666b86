/** Wraps user-supplied serializers so that every failure surfaces as a coded {@link SerializationError}. */
import { SerializationError, StatefunSdkError, describeError } from '../errors.js';
import { parseValidTypeName } from '../typename.js';
import type { Type } from './type.js';

/**
 * Builds a frozen {@link Type} after validating its typename.
 *
 * @param typename - `namespace/name`.
 * @param serialize - encodes a value; may throw.
 * @param deserialize - decodes bytes; may throw.
 * @returns the type; its methods throw `ERR_SDK_SERIALIZE_FAILED` / `ERR_SDK_DESERIALIZE_FAILED` (an SDK
 * error thrown inside, such as a schema failure, passes through unchanged).
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_TYPENAME`.
 */
export function guardedType<T>(
  typename: string,
  serialize: (value: T) => Uint8Array,
  deserialize: (bytes: Uint8Array) => T,
): Type<T> {
  parseValidTypeName(typename, 'typename');
  return Object.freeze({
    typename,
    serialize(value: T): Uint8Array {
      let bytes: unknown;
      try {
        bytes = serialize(value);
      } catch (error) {
        if (error instanceof StatefunSdkError) throw error;
        throw new SerializationError(
          'ERR_SDK_SERIALIZE_FAILED',
          `Cannot serialize a value as ${typename}: ${describeError(error)}.`,
          { cause: error },
        );
      }
      if (!(bytes instanceof Uint8Array)) {
        throw new SerializationError(
          'ERR_SDK_SERIALIZE_FAILED',
          `The serializer of ${typename} returned ${typeof bytes}; it must return a Uint8Array (a Buffer is fine).`,
        );
      }
      return bytes;
    },
    deserialize(bytes: Uint8Array): T {
      try {
        return deserialize(bytes);
      } catch (error) {
        if (error instanceof StatefunSdkError) throw error;
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
