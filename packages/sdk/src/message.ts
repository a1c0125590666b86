/** Messages: a typename plus bytes, read through a {@link Type}. */
import { plainBytes } from './bytes.js';
import { SerializationError } from './errors.js';
import type { EncodedValue, Type } from './types/type.js';
import { BoolType, DoubleType, FloatType, IntType, LongType, StringType } from './types/well-known-types.js';

/**
 * A message a function receives (or, in the test harness, one it sent). It is an {@link EncodedValue}, so it
 * can be forwarded as is with `ctx.send(target, message)`.
 *
 * @example
 * ```ts
 * if (message.is(AddToCartType)) {
 *   const { itemId, quantity } = message.as(AddToCartType);
 * }
 * ```
 */
export interface Message extends EncodedValue {
  /** The value's typename, `namespace/name`. */
  readonly typename: string;
  /** The raw encoded bytes (empty for proto3 zero values). */
  readonly bytes: Uint8Array;
  /**
   * @param type - a type.
   * @returns true when the message's typename is the type's.
   */
  is<T>(type: Type<T>): boolean;
  /**
   * Decodes the message with a type.
   * @param type - the type the message must have.
   * @returns the decoded value.
   * @throws {@link SerializationError} `ERR_SDK_TYPE_MISMATCH` when the typename differs,
   * `ERR_SDK_DESERIALIZE_FAILED` / `ERR_SDK_SCHEMA_VALIDATION` when the bytes do not decode,
   * `ERR_SDK_MISSING_VALUE` when the sender sent no value.
   */
  as<T>(type: Type<T>): T;
  /** @returns true for `io.statefun.types/string`. */
  isString(): boolean;
  /** @returns the string. @throws {@link SerializationError} as {@link Message.as}. */
  asString(): string;
  /** @returns true for `io.statefun.types/int`. */
  isInt(): boolean;
  /** @returns the 32-bit integer. @throws {@link SerializationError} as {@link Message.as}. */
  asInt(): number;
  /** @returns true for `io.statefun.types/long`. */
  isLong(): boolean;
  /** @returns the 64-bit integer. @throws {@link SerializationError} as {@link Message.as}. */
  asLong(): bigint;
  /** @returns true for `io.statefun.types/float`. */
  isFloat(): boolean;
  /** @returns the float. @throws {@link SerializationError} as {@link Message.as}. */
  asFloat(): number;
  /** @returns true for `io.statefun.types/double`. */
  isDouble(): boolean;
  /** @returns the double. @throws {@link SerializationError} as {@link Message.as}. */
  asDouble(): number;
  /** @returns true for `io.statefun.types/bool`. */
  isBool(): boolean;
  /** @returns the boolean. @throws {@link SerializationError} as {@link Message.as}. */
  asBool(): boolean;
}

/** The SDK's {@link Message}. `hasValue` is false only when the sender set no value (`has_value=false`). */
export class TypedMessage implements Message {
  readonly typename: string;
  readonly bytes: Uint8Array;
  readonly #hasValue: boolean;

  constructor(typename: string, bytes: Uint8Array | null | undefined, hasValue = true) {
    this.typename = typename;
    this.bytes = plainBytes(bytes);
    this.#hasValue = hasValue;
  }

  is<T>(type: Type<T>): boolean {
    return type.typename === this.typename;
  }

  as<T>(type: Type<T>): T {
    if (type.typename !== this.typename) {
      throw new SerializationError(
        'ERR_SDK_TYPE_MISMATCH',
        `Cannot read a ${this.typename} message as ${type.typename}: check message.is(type) first, ` +
          `or use the type the sender used.`,
      );
    }
    if (!this.#hasValue) {
      throw new SerializationError(
        'ERR_SDK_MISSING_VALUE',
        `The ${this.typename} message has no value (has_value=false): the sender sent an absent value.`,
      );
    }
    return type.deserialize(this.bytes);
  }

  isString(): boolean {
    return this.is(StringType);
  }
  asString(): string {
    return this.as(StringType);
  }
  isInt(): boolean {
    return this.is(IntType);
  }
  asInt(): number {
    return this.as(IntType);
  }
  isLong(): boolean {
    return this.is(LongType);
  }
  asLong(): bigint {
    return this.as(LongType);
  }
  isFloat(): boolean {
    return this.is(FloatType);
  }
  asFloat(): number {
    return this.as(FloatType);
  }
  isDouble(): boolean {
    return this.is(DoubleType);
  }
  asDouble(): number {
    return this.as(DoubleType);
  }
  isBool(): boolean {
    return this.is(BoolType);
  }
  asBool(): boolean {
    return this.as(BoolType);
  }
}
