/** Builds module.yaml texts for tests. */

/** One endpoint document. */
export interface EndpointSpec {
  /** `ns/name` or `ns/*`. */
  readonly functions: string;
  readonly urlPathTemplate: string;
  readonly maxNumBatchRequests?: number;
  /** Call budget, e.g. `2s` or `2 min`. */
  readonly call?: string;
}

/**
 * A module.yaml with the given endpoints and log egresses.
 *
 * @example moduleYaml({ endpoints: [{ functions: 'example/*', urlPathTemplate: `${url}/{function.name}` }], logEgresses: ['example/out'] })
 */
export function moduleYaml(spec: {
  endpoints: readonly EndpointSpec[];
  logEgresses?: readonly string[];
}): string {
  const docs = spec.endpoints.map((e) => {
    const lines = [
      'kind: io.statefun.endpoints.v2/http',
      'spec:',
      `  functions: ${e.functions}`,
      `  urlPathTemplate: ${e.urlPathTemplate}`,
    ];
    if (e.maxNumBatchRequests !== undefined) lines.push(`  maxNumBatchRequests: ${e.maxNumBatchRequests}`);
    if (e.call !== undefined) lines.push('  transport:', `    call: ${e.call}`);
    return lines.join('\n');
  });
  for (const id of spec.logEgresses ?? [])
    docs.push(['kind: io.statehouse.egress.v1/log', 'spec:', `  id: ${id}`].join('\n'));
  return docs.join('\n---\n') + '\n';
}
