/** A parsed `namespace/name` typename. */
export interface TypeName {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Parses a `namespace/name` typename, splitting at the last `/` as every StateFun SDK does.
 *
 * @param typename - e.g. `example/cart` or `type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord`.
 * @returns the namespace and name, or `undefined` when either part is empty or there is no `/`.
 */
export function parseTypeName(typename: string): TypeName | undefined {
  const slash = typename.lastIndexOf('/');
  if (slash <= 0 || slash === typename.length - 1) return undefined;
  return { namespace: typename.slice(0, slash), name: typename.slice(slash + 1) };
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
