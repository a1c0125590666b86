/** Protobuf message types, from any generated codec (protobufjs static classes, or adapters to @bufbuild). */
import { DefinitionError } from '../errors.js';
import { guardedType } from './guarded-type.js';
import type { Type } from './type.js';

/**
 * What {@link protobufType} needs from generated code. protobufjs static classes fit as they are
 * (`encode(m)` returns a writer with `finish()`); for @bufbuild/protobuf pass adapter functions.
 *
 * @typeParam T - the decoded message type.
 */
export interface ProtobufCodec<T> {
  /**
   * @param message - the message to encode.
   * @returns its bytes, or a protobufjs writer whose `finish()` returns them.
   */
  encode(message: NoInfer<T>): Uint8Array | { finish(): Uint8Array };
  /**
   * @param bytes - an encoded message.
   * @returns the decoded message.
   */
  decode(bytes: Uint8Array): T;
}

/**
 * Defines a protobuf message type. By convention the typename is `type.googleapis.com/<full.message.Name>`.
 *
 * @param typename - the type's `namespace/name`.
 * @param codec - the message's generated encode/decode.
 * @returns the type.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_TYPENAME` or `ERR_SDK_INVALID_FUNCTION`.
 * @example
 * ```ts
 * // protobufjs static code
 * const OrderType = protobufType('type.googleapis.com/shop.Order', shop.Order);
 * // @bufbuild/protobuf v2
 * const OrderType = protobufType('type.googleapis.com/shop.Order', {
 *   encode: (m: Order) => toBinary(OrderSchema, m),
 *   decode: (b) => fromBinary(OrderSchema, b),
 * });
 * ```
 */
export function protobufType<T>(typename: string, codec: ProtobufCodec<T>): Type<T> {
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new DefinitionError(
      'ERR_SDK_INVALID_FUNCTION',
      `protobufType("${typename}") needs a codec with encode(message) and decode(bytes), ` +
        `such as a protobufjs static class.`,
    );
  }
  return guardedType(
    typename,
    (message) => {
      const encoded = codec.encode(message);
      return encoded instanceof Uint8Array ? encoded : encoded.finish();
    },
    (bytes) => codec.decode(bytes),
  );
}
