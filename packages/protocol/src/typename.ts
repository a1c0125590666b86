/**
 * The one rule for typenames (function types, value types, state types, egress ids): `namespace/name` with
 * exactly one `/`, both parts non-empty and no whitespace, e.g. `example/cart` or
 * `type.googleapis.com/io.example.Cart`.
 *
 * The StateFun SDKs split at the last `/`, but the StateFun runtime registers typenames with a strict split that
 * needs exactly one `/` and fails the job on any other. Accepting `a/b/c` in one place and refusing it in
 * another would half-accept it, so every place that checks a typename (module.yaml, the SDK, the ingress API,
 * including the decoded namespace and name of an ingress path) checks it with this rule and refuses it: put
 * dots, not slashes, inside the namespace (`com.example/cart`). StateFun itself does not refuse whitespace;
 * Statehouse does, everywhere, because a type with a space cannot be written in module.yaml or an ingress path.
 */

/** A parsed `namespace/name` typename. */
export interface TypeName {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Why a string is not a typename: `slash-count` when it does not have exactly one `/`, `empty-part` when the
 * namespace or the name is empty, `whitespace` when it contains whitespace (checked in that order).
 */
export type TypeNameFault = 'slash-count' | 'empty-part' | 'whitespace';

/**
 * Checks a typename and says what is wrong with it, for callers that explain the fault in their own words.
 *
 * @param typename - e.g. `example/cart`.
 * @returns the namespace and name, or the fault.
 */
export function checkTypeName(
  typename: string,
): { readonly typeName: TypeName } | { readonly fault: TypeNameFault } {
  const slash = typename.indexOf('/');
  if (slash === -1 || typename.includes('/', slash + 1)) return { fault: 'slash-count' };
  if (slash === 0 || slash === typename.length - 1) return { fault: 'empty-part' };
  if (/\s/u.test(typename)) return { fault: 'whitespace' };
  return { typeName: { namespace: typename.slice(0, slash), name: typename.slice(slash + 1) } };
}

/**
 * Parses a `namespace/name` typename: exactly one `/`, both parts non-empty, no whitespace.
 *
 * @param typename - e.g. `example/cart` or `type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord`.
 * @returns the namespace and name, or `undefined` when `typename` is not a typename (see {@link checkTypeName}).
 */
export function parseTypeName(typename: string): TypeName | undefined {
  const checked = checkTypeName(typename);
  return 'typeName' in checked ? checked.typeName : undefined;
}

/**
 * Formats a function type or typename as `namespace/name`.
 *
 * @param namespace - the namespace part.
 * @param name - the name part.
 * @returns `namespace/name`.
 */
export function formatTypeName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
