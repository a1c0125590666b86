/** JSON types: UTF-8 JSON bytes under a user typename, optionally validated by a schema. */
import { SerializationError, describeError } from '../errors.js';
import { guardedType } from './guarded-type.js';
import type { Schema, Type } from './type.js';

/** Options of {@link jsonType}. */
export interface JsonTypeOptions<T> {
  /**
   * Validates every value this type decodes (e.g. a zod schema). Values you serialize are not validated:
   * TypeScript already checks them, and a schema's output type may differ from its input.
   * @default no validation
   */
  readonly schema?: Schema<T>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Defines a JSON type: values are sent as UTF-8 JSON, the same bytes `StateFun.jsonType` (JavaScript),
 * `make_json_type` (Python) and `MakeJsonType` (Go) produce and read.
 *
 * @typeParam T - the value type; inferred from `schema` when given.
 * @param typename - the type's `namespace/name`, e.g. `example/add-to-cart`.
 * @param options - an optional schema validating decoded values.
 * @returns the type.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_TYPENAME` for a malformed typename.
 * @example
 * ```ts
 * interface AddToCart { userId: string; itemId: string; quantity: number }
 * const AddToCartType = jsonType<AddToCart>('example/AddToCart');
 * // or, validated: jsonType('example/AddToCart', { schema: z.object({ ... }) })
 * ```
 */
export function jsonType<T = unknown>(typename: string, options: JsonTypeOptions<T> = {}): Type<T> {
  const { schema } = options;
  return guardedType<T>(
    typename,
    (value) => {
      const text = JSON.stringify(value);
      if (text === undefined) throw new Error(`${typeof value} has no JSON representation`);
      return encoder.encode(text);
    },
    (bytes) => {
      const parsed: unknown = JSON.parse(decoder.decode(bytes));
      if (schema === undefined) return parsed as T;
      try {
        return schema.parse(parsed);
      } catch (error) {
        throw new SerializationError(
          'ERR_SDK_SCHEMA_VALIDATION',
          `A ${typename} value failed schema validation: ${describeError(error)}. ` +
            `Fix the sender, or relax the schema.`,
          { cause: error },
        );
      }
    },
  );
}
