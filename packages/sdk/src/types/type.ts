/** The contract every StateFun type implements, and the encoded form values travel in. */

/**
 * A StateFun type: a `namespace/name` typename plus how values of `T` become bytes and back.
 *
 * Build one with {@link jsonType}, {@link protobufType} or {@link customType}, or use a well-known type
 * such as {@link IntType}. Any object of this shape works, so a hand-written type is fine too.
 *
 * @typeParam T - the JavaScript value this type encodes.
 */
export interface Type<T> {
  /** The value's typename, `namespace/name`, sent with every value of this type. */
  readonly typename: string;
  /**
   * Encodes a value.
   * @param value - the value to encode.
   * @returns its bytes.
   */
  serialize(value: T): Uint8Array;
  /**
   * Decodes bytes previously produced by `serialize` (in any SDK).
   * @param bytes - the encoded value; may be empty (proto3 zero values).
   * @returns the value.
   */
  deserialize(bytes: Uint8Array): T;
}

/** The JavaScript value a {@link Type} encodes. */
export type ValueOf<X> = X extends Type<infer T> ? T : never;

/**
 * A value already encoded: its typename and bytes. Builders such as {@link kafkaEgressRecord} return one,
 * and a received {@link Message} is one, so it can be forwarded as is.
 */
export interface EncodedValue {
  /** The value's typename, `namespace/name`. */
  readonly typename: string;
  /** The encoded bytes. */
  readonly bytes: Uint8Array;
}

/**
 * Anything that validates an unknown value and returns it typed, e.g. a zod schema. Throws when invalid.
 *
 * @typeParam T - the validated type.
 */
export interface Schema<T> {
  /**
   * @param value - the decoded, untrusted value.
   * @returns the validated value.
   */
  parse(value: unknown): T;
}
