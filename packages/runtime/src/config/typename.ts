import { checkTypeName, type TypeName, type TypeNameFault } from '@statehouse/protocol';

/** What each fault of the typename rule needs, for the message. */
const EXPECTED: Readonly<Record<TypeNameFault, string>> = {
  'slash-count': 'with exactly one "/"',
  'empty-part': 'with a non-empty namespace and name',
  whitespace: 'without whitespace',
};

/**
 * Splits a typename from module.yaml (a function binding or an egress id) with the typename rule of
 * `@statehouse/protocol` (exactly one `/`, both parts non-empty, no whitespace), and adds module.yaml's own:
 * `*` only as the whole name of a binding (`namespace/*`).
 *
 * @param text - the typename as written.
 * @param allowWildcardName - whether `namespace/*` is allowed (function bindings only).
 * @returns the parts (`name` is `'*'` for a namespace wildcard binding), or a sentence saying what is wrong.
 */
export function splitModuleTypename(
  text: string,
  allowWildcardName: boolean,
): { readonly parts: TypeName } | { readonly problem: string } {
  const expected = allowWildcardName ? 'namespace/name or namespace/*' : 'namespace/name';
  const checked = checkTypeName(text);
  if ('fault' in checked) return { problem: `expected ${expected} ${EXPECTED[checked.fault]}` };
  const { namespace, name } = checked.typeName;
  const isWildcard = allowWildcardName && name === '*';
  if (namespace.includes('*') || (!isWildcard && name.includes('*'))) {
    return {
      problem: allowWildcardName
        ? '"*" is allowed only as the whole name (namespace/*)'
        : `expected ${expected}; "*" is not allowed here`,
    };
  }
  return { parts: checked.typeName };
}
