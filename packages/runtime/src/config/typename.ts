import { checkTypeName, type TypeName } from '@statehouse/protocol';

/**
 * Splits a typename from module.yaml (a function binding or an egress id) with the typename rule of
 * `@statehouse/protocol` (exactly one `/`, both parts non-empty), and adds module.yaml's own: no whitespace,
 * and `*` only as the whole name of a binding (`namespace/*`).
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
  if ('fault' in checked) {
    return {
      problem:
        checked.fault === 'slash-count'
          ? `expected ${expected} with exactly one "/"`
          : `expected ${expected} with a non-empty namespace and name`,
    };
  }
  if (/\s/u.test(text)) return { problem: `expected ${expected} without whitespace` };
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
