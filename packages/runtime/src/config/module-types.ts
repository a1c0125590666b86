/**
 * The resolved form of module.yaml: what {@link loadModuleFiles} returns and the rest of the runtime reads.
 * Every field is present (defaults applied) and the objects are deeply frozen.
 */

/** Kind of a StateFun 3.x HTTP endpoint with a selectable transport. */
export const ENDPOINT_V2_KIND = 'io.statefun.endpoints.v2/http';
/** Kind of a StateFun 3.x legacy HTTP endpoint (timeouts at spec level, always the OkHttp transport). */
export const ENDPOINT_V1_KIND = 'io.statefun.endpoints.v1/http';
/** Kind of the built-in log egress, readable through `GET /v1/egress/{namespace}/{name}`. */
export const LOG_EGRESS_KIND = 'io.statehouse.egress.v1/log';
/** Kind of the HTTP (webhook) egress. */
export const HTTP_EGRESS_KIND = 'io.statehouse.egress.v1/http';
/**
 * Kind of a function policy: runtime limits of one function type or of every type of a namespace.
 * @experimental
 */
export const FUNCTION_POLICY_KIND = 'io.statehouse.functions.v1/policy';
/** `transport.type` of the default transport. */
export const ASYNC_TRANSPORT_TYPE = 'io.statefun.transports.v1/async';
/** `transport.type` of the OkHttp-compatible transport. */
export const OKHTTP_TRANSPORT_TYPE = 'io.statefun.transports.v1/okhttp';

/** The module.yaml kinds this version loads. */
export const SUPPORTED_KINDS: readonly string[] = Object.freeze([
  ENDPOINT_V2_KIND,
  ENDPOINT_V1_KIND,
  LOG_EGRESS_KIND,
  HTTP_EGRESS_KIND,
  FUNCTION_POLICY_KIND,
]);

/** StateFun kinds that are recognised but refused: a later version of Statehouse will load them. */
export const NOT_YET_SUPPORTED_KINDS: readonly string[] = Object.freeze([
  'io.statefun.kafka.v1/ingress',
  'io.statefun.kafka.v1/egress',
  'io.statefun.kinesis.v1/ingress',
  'io.statefun.kinesis.v1/egress',
]);

/** All components of one or more module.yaml files. */
export interface ModuleConfig {
  /** HTTP endpoints, in file and document order. */
  readonly endpoints: readonly EndpointConfig[];
  /** Egresses, in file and document order. */
  readonly egresses: readonly EgressConfig[];
  /**
   * Function policies, in file and document order; use {@link createPolicyResolver} to get the policy of a
   * function type.
   * @experimental
   */
  readonly policies: readonly FunctionPolicyConfig[];
}

/** One `io.statefun.endpoints.v2/http` or `io.statefun.endpoints.v1/http` document. */
export interface EndpointConfig {
  /** Where it was defined, for messages: `"module.yaml document 2"`. */
  readonly source: string;
  /** The document's kind. */
  readonly kind: typeof ENDPOINT_V2_KIND | typeof ENDPOINT_V1_KIND;
  /** `functions` as written: `namespace/name` or `namespace/*`. */
  readonly functions: string;
  /** Namespace of the bound function types. */
  readonly namespace: string;
  /** Name of the bound function type, or `'*'` for every type of the namespace. */
  readonly name: string;
  /**
   * `urlPathTemplate` as written (`http`, `https`, `http+unix`, `https+unix`), possibly with `{function.name}`;
   * use the endpoint resolver to get the URL of a function type.
   */
  readonly urlPathTemplate: string;
  /**
   * Most messages sent to one address in one invocation batch; `Infinity` when `maxNumBatchRequests` ≤ 0.
   * @default 1000
   */
  readonly maxNumBatchRequests: number;
  /** The HTTP client settings. */
  readonly transport: TransportConfig;
}

/**
 * The HTTP client settings of an endpoint (`spec.transport`, or `spec.timeouts` for v1 endpoints). The
 * defaults are those of StateFun's transports, which differ between `async` and `okhttp`.
 */
export interface TransportConfig {
  /**
   * `async` (`io.statefun.transports.v1/async`) or `okhttp` (`io.statefun.transports.v1/okhttp`, and every
   * v1 endpoint). Both are served by the same client; the type selects the defaults and retry policy.
   * @default 'async'
   */
  readonly type: 'async' | 'okhttp';
  /**
   * Total budget of one call, including all retries and backoffs.
   * @default 120000 (async `call`); 60000 (async legacy `timeouts.call`, okhttp `timeouts.call`)
   */
  readonly callMs: number;
  /**
   * Connect timeout of one attempt (async: also the wait for a pooled connection).
   * @default 20000 (async `connect`); 10000 (async legacy `timeouts.connect`, okhttp `timeouts.connect`)
   */
  readonly connectMs: number;
  /** Read timeout of one attempt; okhttp only (never more than `callMs`). @default 10000 */
  readonly readMs?: number;
  /** Write timeout of one attempt; okhttp only (never more than `callMs`). @default 10000 */
  readonly writeMs?: number;
  /**
   * Lifetime of a pooled connection (async `pool_ttl`; 0 disables); for okhttp, how long an idle connection
   * is kept (fixed).
   * @default 15000 (async); 60000 (okhttp)
   */
  readonly poolTtlMs: number;
  /** Most connections per endpoint (async `pool_size`); for okhttp, most idle connections (fixed). @default 1024 */
  readonly poolSize: number;
  /**
   * Largest response accepted, in bytes (async `payload_max_bytes`). OkHttp has no limit; Statehouse applies
   * the same default to it so that one reply cannot exhaust memory.
   * @default 33554432 (32 MiB)
   */
  readonly payloadMaxBytes: number;
  /** TLS files (async only); absent when none is configured. */
  readonly tls?: TlsConfig;
}

/** TLS settings of the async transport: paths of PEM files, each optional. */
export interface TlsConfig {
  /** CA bundle to trust instead of the system's (`trust_cacerts`). */
  readonly trustCaCertsPath?: string;
  /** Client certificate for mutual TLS (`client_cert`); set together with `clientKeyPath`. */
  readonly clientCertPath?: string;
  /** PKCS#8 private key of the client certificate (`client_key`); set together with `clientCertPath`. */
  readonly clientKeyPath?: string;
  /** File holding the password of the client key (`client_key_password`). */
  readonly clientKeyPasswordPath?: string;
}

/** An egress that functions send records to, by `id`. */
export type EgressConfig = LogEgressConfig | HttpEgressConfig;

/**
 * How many records an egress keeps (`retention` in module.yaml). Older records are deleted; a reader asking for
 * an offset below the retained range gets `ERR_API_EGRESS_TRIMMED` naming the earliest offset.
 */
export interface EgressRetention {
  /** Records older than this are deleted (ms); `undefined`: no age limit. */
  readonly maxAgeMs: number | undefined;
  /** At most this many records are kept (the newest); `undefined`: no count limit. */
  readonly maxRecords: number | undefined;
}

/** An `io.statehouse.egress.v1/log` document: records kept in the store, read through the HTTP API. */
export interface LogEgressConfig {
  readonly kind: 'log';
  /** The egress id, `namespace/name`. */
  readonly id: string;
  /** @default `{ maxAgeMs: 7 days }` (`maxAge: 7d`). */
  readonly retention: EgressRetention;
  /** Where it was defined, for messages: `"module.yaml document 3"`. */
  readonly source: string;
}

/** An `io.statehouse.egress.v1/http` document: each record is POSTed to `url` (webhook). */
export interface HttpEgressConfig {
  readonly kind: 'http';
  /** The egress id, `namespace/name`. */
  readonly id: string;
  /** The absolute `http://` or `https://` URL records are POSTed to. */
  readonly url: string;
  /**
   * Delivered records are deleted `deliveredGraceMs` after they were created (default 1 min); `maxAgeMs` and
   * `maxRecords` (no default) also delete records not delivered yet, which are then skipped, visibly.
   */
  readonly retention: EgressRetention & { readonly deliveredGraceMs: number };
  /** Where it was defined, for messages: `"module.yaml document 4"`. */
  readonly source: string;
}

/**
 * One `io.statehouse.functions.v1/policy` document: limits that apply to one function type (`functions:
 * namespace/name`) or to every type of a namespace (`namespace/*`). A type's own policy replaces its namespace's
 * policy as a whole (fields it leaves out are not taken from the namespace's). Every field but the function
 * type is optional, so that later fields can be added without changing existing files.
 * @experimental
 */
export interface FunctionPolicyConfig {
  /** Where it was defined, for messages: `"module.yaml document 5"`. */
  readonly source: string;
  /** `functions` as written: `namespace/name` or `namespace/*`. */
  readonly functions: string;
  /** Namespace of the function types the policy applies to. */
  readonly namespace: string;
  /** Name of the function type, or `'*'` for every type of the namespace. */
  readonly name: string;
  /**
   * Most pending messages (the durable backlog in the store) of ONE function type; beyond it, the HTTP ingress
   * of that type answers 503 while other types keep flowing. Counted per function type, also under a namespace
   * policy (each type of the namespace has this limit of its own).
   * @default undefined (no limit)
   */
  readonly maxBacklog: number | undefined;
}
