/** Validation of `namespace/name` typenames (function types, value types, egress ids). */
import { DefinitionError, InvalidArgumentError, describeValue } from './errors.js';

/** A parsed, valid `namespace/name`. */
export interface ParsedTypeName {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Checks that `typename` is `namespace/name` with exactly one `/` and both parts non-empty.
 *
 * The SDKs split at the last `/`, but the reference runtime registers state types with a strict split that
 * needs exactly one `/`; rejecting other shapes here keeps a typename from being half-accepted.
 *
 * @param typename - the value to check.
 * @param what - what the typename names, for the message (e.g. `function type`).
 * @param kind - `definition` at definition time, `argument` when a context or builder method is called.
 * @returns the namespace and name.
 * @throws {@link DefinitionError} or {@link InvalidArgumentError} `ERR_SDK_INVALID_TYPENAME`.
 */
export function parseValidTypeName(
  typename: unknown,
  what: string,
  kind: 'definition' | 'argument' = 'definition',
): ParsedTypeName {
  const slash = typeof typename === 'string' ? typename.indexOf('/') : -1;
  if (
    typeof typename !== 'string' ||
    slash <= 0 ||
    slash === typename.length - 1 ||
    typename.indexOf('/', slash + 1) !== -1
  ) {
    const message =
      `Invalid ${what} ${describeValue(typename)}: expected "namespace/name" with exactly one "/" and both parts ` +
      `non-empty, e.g. "example/cart".`;
    throw kind === 'definition'
      ? new DefinitionError('ERR_SDK_INVALID_TYPENAME', message)
      : new InvalidArgumentError('ERR_SDK_INVALID_TYPENAME', message);
  }
  return { namespace: typename.slice(0, slash), name: typename.slice(slash + 1) };
}
