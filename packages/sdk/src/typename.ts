/** Validation of `namespace/name` typenames (function types, value types, egress ids). */
import { parseTypeName, type TypeName } from '@statehouse/protocol';

import { DefinitionError, InvalidArgumentError, describeValue } from './errors.js';

/** A parsed, valid `namespace/name`. */
export type ParsedTypeName = TypeName;

/**
 * Checks that `typename` is a string that follows the typename rule of `@statehouse/protocol`: `namespace/name`
 * with exactly one `/` and both parts non-empty (the rule the reference runtime registers state types with).
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
  const parsed = typeof typename === 'string' ? parseTypeName(typename) : undefined;
  if (parsed === undefined) {
    const message =
      `Invalid ${what} ${describeValue(typename)}: expected "namespace/name" with exactly one "/" and both parts ` +
      `non-empty, e.g. "example/cart".`;
    throw kind === 'definition'
      ? new DefinitionError('ERR_SDK_INVALID_TYPENAME', message)
      : new InvalidArgumentError('ERR_SDK_INVALID_TYPENAME', message);
  }
  return parsed;
}
