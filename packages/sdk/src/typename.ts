/** Validation of `namespace/name` typenames (function types, value types, egress ids). */
import { checkTypeName, type TypeName, type TypeNameFault } from '@statehouse/protocol';

import { DefinitionError, InvalidArgumentError, describeValue } from './errors.js';

/** A parsed, valid `namespace/name`. */
export type ParsedTypeName = TypeName;

/** What each fault of the typename rule needs, for the message. */
const EXPECTED: Readonly<Record<TypeNameFault | 'not-a-string', string>> = {
  'not-a-string': 'with exactly one "/" and both parts non-empty',
  'slash-count': 'with exactly one "/" and both parts non-empty',
  'empty-part': 'with exactly one "/" and both parts non-empty',
  whitespace: 'without whitespace',
};

/**
 * Checks that `typename` is a string that follows the typename rule of `@statehouse/protocol`: `namespace/name`
 * with exactly one `/`, both parts non-empty and no whitespace (the rule module.yaml and the ingress API check
 * too, so a function type the SDK accepts can be bound and addressed).
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
  const checked = typeof typename === 'string' ? checkTypeName(typename) : { fault: 'not-a-string' as const };
  if ('fault' in checked) {
    const message =
      `Invalid ${what} ${describeValue(typename)}: expected "namespace/name" ${EXPECTED[checked.fault]}, ` +
      `e.g. "example/cart".`;
    throw kind === 'definition'
      ? new DefinitionError('ERR_SDK_INVALID_TYPENAME', message)
      : new InvalidArgumentError('ERR_SDK_INVALID_TYPENAME', message);
  }
  return checked.typeName;
}
