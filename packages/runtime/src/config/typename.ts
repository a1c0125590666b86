/** A `namespace/name` pair taken from module.yaml; `name` is `'*'` for a namespace wildcard binding. */
export interface TypenameParts {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Splits a typename from module.yaml (a function binding or an egress id). Unlike the SDKs, which split at
 * the last `/`, module.yaml requires exactly one `/`, as the StateFun runtime does: a typename with several
 * is rejected here rather than half-accepted later.
 *
 * @param text - the typename as written.
 * @param allowWildcardName - whether `namespace/*` is allowed (function bindings only).
 * @returns the parts, or a sentence saying what is wrong.
 */
export function splitModuleTypename(
  text: string,
  allowWildcardName: boolean,
): { readonly parts: TypenameParts } | { readonly problem: string } {
  const expected = allowWildcardName ? 'namespace/name or namespace/*' : 'namespace/name';
  const pieces = text.split('/');
  if (pieces.length !== 2) {
    return { problem: `expected ${expected} with exactly one "/"` };
  }
  const [namespace = '', name = ''] = pieces;
  if (namespace === '' || name === '') {
    return { problem: `expected ${expected} with a non-empty namespace and name` };
  }
  if (/\s/u.test(text)) return { problem: `expected ${expected} without whitespace` };
  const isWildcard = allowWildcardName && name === '*';
  if (namespace.includes('*') || (!isWildcard && name.includes('*'))) {
    return {
      problem: allowWildcardName
        ? '"*" is allowed only as the whole name (namespace/*)'
        : `expected ${expected}; "*" is not allowed here`,
    };
  }
  return { parts: { namespace, name } };
}
