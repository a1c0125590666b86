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
/** Kind of a StateFun Kafka ingress: records of Kafka topics routed to function types. */
export const KAFKA_INGRESS_KIND = 'io.statefun.kafka.v1/ingress';
/** Kind of a StateFun Kafka egress: records that functions send are produced to Kafka. */
export const KAFKA_EGRESS_KIND = 'io.statefun.kafka.v1/egress';
export { KINESIS_EGRESS_KIND, KINESIS_INGRESS_KIND } from './kinesis-types.js';
import {
  KINESIS_EGRESS_KIND,
  KINESIS_INGRESS_KIND,
  type KinesisEgressConfig,
  type KinesisIngressConfig,
} from './kinesis-types.js';
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
  KAFKA_INGRESS_KIND,
  KAFKA_EGRESS_KIND,
  KINESIS_INGRESS_KIND,
  KINESIS_EGRESS_KIND,
]);

/** StateFun kinds that are recognised but refused: a later version of Statehouse will load them (none now). */
export const NOT_YET_SUPPORTED_KINDS: readonly string[] = Object.freeze([]);

/** All components of one or more module.yaml files. */
export interface ModuleConfig {
  /** HTTP endpoints, in file and document order. */
  readonly endpoints: readonly EndpointConfig[];
  /** Egresses, in file and document order. */
  readonly egresses: readonly EgressConfig[];
  /** Kafka and Kinesis ingresses, in file and document order. */
  readonly ingresses: readonly IngressConfig[];
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

/**
 * An egress that functions send records to, by `id`. Log and HTTP egresses carry a short `kind` (`'log'`,
 * `'http'`); the Kafka and Kinesis egresses carry their document kind ({@link KAFKA_EGRESS_KIND}).
 */
export type EgressConfig = LogEgressConfig | HttpEgressConfig | KafkaEgressConfig | KinesisEgressConfig;

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
  /**
   * When a batch of the function type that keeps failing is moved to the dead letters, so that its address
   * carries on with its next messages. Without it, a failing address stalls and is retried until it succeeds.
   * @default undefined (stall, never drop)
   */
  readonly deadLetters: DeadLetterPolicyConfig | undefined;
}

/**
 * `deadLetters` of a function policy: a failing batch is dead-lettered after `maxAttempts` failed attempts or
 * once it has been failing for `maxAgeMs`, whichever comes first (at least one is set).
 * @experimental
 */
export interface DeadLetterPolicyConfig {
  /**
   * Failed attempts of one batch after which it is dead-lettered.
   * @default undefined (no attempt limit)
   */
  readonly maxAttempts: number | undefined;
  /**
   * How long a batch may keep failing (since its first failed attempt), ms, before it is dead-lettered.
   * @default undefined (no age limit)
   */
  readonly maxAgeMs: number | undefined;
}

/** An ingress that reads records from outside and sends them to function types. */
export type IngressConfig = KafkaIngressConfig | KinesisIngressConfig;

/** One entry of a Kafka ingress's `topics`: the records of `topic` go to every function type of `targets`. */
export interface KafkaTopicRoute {
  /** The Kafka topic. */
  readonly topic: string;
  /** `valueType`: the typename (`namespace/name`) the record value is passed to the functions as. */
  readonly valueType: string;
  /** `targets`: the function types (`namespace/name`, at least one) each record is sent to, keyed by the record key. */
  readonly targets: readonly string[];
}

/**
 * Where a Kafka ingress starts reading when it has no committed position of its own (`startupPosition`).
 * `date` starts at the first record at or after the date.
 */
export type KafkaStartupPosition =
  | { readonly type: 'group-offsets' }
  | { readonly type: 'earliest' }
  | { readonly type: 'latest' }
  | {
      readonly type: 'specific-offsets';
      /** The offset to start at, per topic and partition (`- "<topic>/<partition>": <offset>`). */
      readonly offsets: readonly {
        readonly topic: string;
        readonly partition: number;
        readonly offset: number;
      }[];
    }
  | {
      readonly type: 'date';
      /** The date as written, `yyyy-MM-dd HH:mm:ss.SSS Z`, e.g. `2020-02-01 04:15:00.000 +0000`. */
      readonly date: string;
      /** The date in milliseconds since the epoch. */
      readonly epochMs: number;
    };

/** One `io.statefun.kafka.v1/ingress` document: a Kafka consumer whose records are routed to function types. */
export interface KafkaIngressConfig {
  /** Where it was defined, for messages: `"module.yaml document 2"`. */
  readonly source: string;
  /** The document's kind. */
  readonly kind: typeof KAFKA_INGRESS_KIND;
  /** The ingress id, `namespace/name`; unique among the ingresses. */
  readonly id: string;
  /**
   * The brokers to bootstrap from, `host:port` each: from `address` (a comma-separated list), else from the
   * property `bootstrap.servers`.
   */
  readonly brokers: readonly string[];
  /** The consumer group: `consumerGroupId`, else the property `group.id`. */
  readonly consumerGroupId: string;
  /** The topics and where their records go (at least one; each topic once), in the order written. */
  readonly topics: readonly KafkaTopicRoute[];
  /**
   * Where to start reading when the ingress has no committed position.
   * @default `{ type: 'latest' }` (StateFun's code; its documentation claims group-offsets)
   */
  readonly startupPosition: KafkaStartupPosition;
  /**
   * Where to start in a partition whose committed offset is missing or out of range: `autoOffsetResetPosition`,
   * else the property `auto.offset.reset`.
   * @default 'latest'
   */
  readonly autoOffsetResetPosition: 'earliest' | 'latest';
  /**
   * The Kafka consumer properties as written (values in their string form), each one of
   * {@link KAFKA_INGRESS_PROPERTIES}. `bootstrap.servers`, `group.id` and `auto.offset.reset` appear here as
   * written; `brokers`, `consumerGroupId` and `autoOffsetResetPosition` are what applies.
   */
  readonly properties: ReadonlyMap<string, string>;
}

/** How a Kafka egress produces records (`deliverySemantic`). */
export type KafkaDeliverySemantic =
  | {
      readonly type: 'exactly-once';
      /** The Kafka transaction timeout: more than 0 and at most 15 minutes. */
      readonly transactionTimeoutMs: number;
    }
  | { readonly type: 'at-least-once' }
  | { readonly type: 'none' };

/** One `io.statefun.kafka.v1/egress` document: records that functions send to `id` are produced to Kafka. */
export interface KafkaEgressConfig {
  /** Where it was defined, for messages: `"module.yaml document 5"`. */
  readonly source: string;
  /** The document's kind. */
  readonly kind: typeof KAFKA_EGRESS_KIND;
  /** The egress id, `namespace/name`; unique among all egresses. */
  readonly id: string;
  /** The brokers, `host:port` each: from `address` (a comma-separated list), else the property `bootstrap.servers`. */
  readonly brokers: readonly string[];
  /**
   * How records are produced.
   * @default `{ type: 'at-least-once' }`
   */
  readonly deliverySemantic: KafkaDeliverySemantic;
  /**
   * The Kafka producer properties as written (values in their string form), each one of
   * {@link KAFKA_EGRESS_PROPERTIES}. `bootstrap.servers` appears here as written; `brokers` is what applies.
   */
  readonly properties: ReadonlyMap<string, string>;
}
