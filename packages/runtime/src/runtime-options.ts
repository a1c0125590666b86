/** Options of a runtime: what embedders and the CLI pass, and the resolved form the code runs with. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ModuleConfig } from './config/index.js';
import type { ConnectorPlugin } from './connectors/connector.js';
import { DEFAULT_KEY_GROUPS } from './core/address.js';
import { STORE_TEXT_LIMITS } from './core/store-text.js';
import { systemClock, type Clock } from './core/clock.js';
import { ConfigError } from './errors.js';
import { redactLocation, redactUrl } from './core/redact-url.js';
import { isStoreUrlEncodingValid, STORE_URL_ENCODING_HINT } from './store/postgres/postgres-options.js';
import type { Store } from './store/store.js';
import type { ScheduledSnapshotsOptions } from './snapshot/scheduled-snapshots.js';
import { resolveSnapshotSchedule } from './snapshot/snapshot-schedule.js';
import type { ApiAuthConfig } from './api/api-auth.js';
import type { ApiTlsFiles } from './api/api-tls.js';
import { checkApiAuth } from './config/api-tokens.js';
import type { KeyObject } from 'node:crypto';
import { createCallSigner, type CallSigner } from './invoke/call-signer.js';

/** What a user passes to {@link createRuntime}. */
export interface RuntimeOptions {
  /** The loaded module (see `loadModuleFile`). */
  readonly module: ModuleConfig;
  /** Directory of the embedded SQLite store. @default './.statehouse' */
  readonly dataDir?: string;
  /** A store instance; overrides `dataDir` and `storeUrl`. @default a SQLite store in `dataDir` */
  readonly store?: Store;
  /** `postgres://…` selects cluster mode on that PostgreSQL database. @default the embedded SQLite store */
  readonly storeUrl?: string;
  /** Cluster mode: this process's unique name. @default `<hostname>-<pid>-<random>` */
  readonly nodeId?: string;
  /** Cluster mode: where other processes and operators reach this one's API. @default the listen address */
  readonly advertise?: string;
  /** Cluster mode: a silent process loses its key groups after this long, ms. @default 10000 */
  readonly leaseMs?: number;
  /** Cluster mode: heartbeat and rebalancing interval, ms. @default min(1000, leaseMs / 4) */
  readonly heartbeatMs?: number;
  /** `host:port` of the HTTP API; port 0 picks a free port. @default '127.0.0.1:8091' */
  readonly listen?: string;
  /** Number of key groups K; fixed once data exists. @default 256 */
  readonly keyGroups?: number;
  /** Largest accepted ingress body, bytes. @default 4194304 (4 MiB) */
  readonly maxIngressBytes?: number;
  /** Longest function id an ingress request may name, UTF-8 bytes (at most 1024, the store's limit). @default 1024 */
  readonly maxIdBytes?: number;
  /** Largest request head of the API (request line and headers), bytes; larger answers 431. @default 16384 */
  readonly maxHeaderBytes?: number;
  /** Most headers an API request may have (8 to 1000); more answers 431. @default 100 */
  readonly maxHeaders?: number;
  /** Open connections to the API at most; further connections are closed at once. @default 1024 */
  readonly maxConnections?: number;
  /** Most records one `GET /v1/egress` answers (a larger `limit` is lowered to it). @default 10000 */
  readonly maxEgressLimit?: number;
  /** Longest long-poll `wait` of `GET /v1/egress`, ms (a larger `wait` is lowered to it). @default 30000 */
  readonly maxEgressWaitMs?: number;
  /**
   * Messages held in memory at most (waiting or in flight); the backlog beyond waits in the store and is paged
   * in as memory frees. @default 10000
   */
  readonly maxInboxMessages?: number;
  /** Bytes of messages held in memory at most (argument bytes plus 1 KiB per message). @default 33554432 (32 MiB) */
  readonly maxInboxBytes?: number;
  /** Invocations in flight at once, over all addresses. @default 1024 */
  readonly maxInFlightInvocations?: number;
  /** Addresses whose state is kept in memory (LRU). @default 100000 */
  readonly stateCacheAddresses?: number;
  /** How long ingress idempotency keys are remembered, ms. @default 86400000 (24 h) */
  readonly idempotencyWindowMs?: number;
  /** Largest retry backoff of a stalled address, ms. @default 10000 */
  readonly stalledRetryMaxMs?: number;
  /** Logger; components log through children of it. @default a pino logger at level info */
  readonly logger?: Logger;
  /** Export Node process metrics (CPU, memory, event loop) on /metrics. @default true */
  readonly collectProcessMetrics?: boolean;
  /**
   * Export OpenTelemetry traces as the standard `OTEL_*` environment variables say (read once when the runtime is
   * created; on when `OTEL_TRACES_EXPORTER=otlp` or an OTLP endpoint is set); `false` keeps tracing off whatever
   * they say. See "Traces" in docs/runtime.md.
   * @default true
   * @experimental
   */
  readonly tracing?: boolean;
  /** Called when the runtime hits an unrecoverable error (a failed commit) and stopped. */
  readonly onFatal?: (err: unknown) => void;
  /**
   * The connector packages that run the module's ingresses, e.g. `[kafkaConnectors()]` from `@statehouse/kafka`
   * (the CLI passes them all). A module with an ingress no connector runs is refused. @default []
   */
  readonly connectors?: readonly ConnectorPlugin[];
  /**
   * Interval of store maintenance: egress retention, pruning of expired idempotency keys and state, giving
   * freed space back, measuring disk space, ms. @default 10000
   */
  readonly maintenanceIntervalMs?: number;
  /** Free bytes on the store's file system below which a warning is logged and metered. @default 1073741824 (1 GiB) */
  readonly lowSpaceBytes?: number;
  /**
   * Who may call the HTTP API: bearer tokens with scopes (`ingress`, `read`, `admin`), see `docs/security.md`.
   * Without it the API is open, which `listen` on a non-loopback address refuses unless `insecureNoAuth` is set.
   */
  readonly apiAuth?: ApiAuthConfig;
  /** Serve an API without tokens on a non-loopback address (e.g. behind a trusted proxy). @default false */
  readonly insecureNoAuth?: boolean;
  /** HTTPS on the API listener; with `clientCaFile`, mutual TLS (which also allows listening beyond loopback). */
  readonly tls?: ApiTlsFiles;
  /**
   * Sign every call to a function with this key (header `statehouse-signature`, see `docs/security.md`): a PEM
   * Ed25519 private key (PKCS#8), an HMAC-SHA256 secret of at least 32 characters, or a `KeyObject` of either.
   * Functions of `@statehouse/sdk` verify it when given the public key (or the secret). It is kept as a
   * `KeyObject` and never logged. @default none: calls are not signed
   */
  readonly callSigningKey?: string | KeyObject;
  /** Scheduled snapshots: where they go, a directory or `s3://bucket/prefix` (needs `snapshotEvery`). */
  readonly snapshotTo?: string;
  /** Scheduled snapshots: how often, a duration such as `"15m"` or milliseconds (needs `snapshotTo`). */
  readonly snapshotEvery?: string | number;
  /** Scheduled snapshots: how many complete snapshots are kept at the location. @default 24 */
  readonly snapshotKeep?: number;
  /**
   * Time as the runtime sees it: the wall clock and the timers it sets. Tests inject one to move time forward
   * instead of waiting. A plain `() => number` (the form of earlier versions) sets the wall clock only; timers
   * then run on real time. @default systemClock
   * @experimental
   */
  readonly clock?: Clock | (() => number);
}

/** {@link RuntimeOptions} with every default applied. */
export interface ResolvedRuntimeOptions {
  readonly module: ModuleConfig;
  readonly dataDir: string;
  readonly store: Store | undefined;
  readonly storeUrl: string | undefined;
  readonly nodeId: string;
  readonly advertise: string | undefined;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly host: string;
  readonly port: number;
  readonly keyGroups: number;
  readonly maxIngressBytes: number;
  readonly maxIdBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxHeaders: number;
  readonly maxConnections: number;
  readonly maxEgressLimit: number;
  readonly maxEgressWaitMs: number;
  readonly maxInboxMessages: number;
  readonly maxInboxBytes: number;
  readonly maxInFlightInvocations: number;
  readonly stateCacheAddresses: number;
  readonly idempotencyWindowMs: number;
  readonly stalledRetryMaxMs: number;
  readonly logger: Logger | undefined;
  readonly collectProcessMetrics: boolean;
  readonly tracing: boolean;
  readonly onFatal: ((err: unknown) => void) | undefined;
  readonly connectors: readonly ConnectorPlugin[];
  readonly maintenanceIntervalMs: number;
  readonly lowSpaceBytes: number;
  /** Scheduled snapshots, when configured. */
  readonly snapshots: ScheduledSnapshotsOptions | undefined;
  /** The API's tokens, or `undefined` for an open API. */
  readonly apiAuth: ApiAuthConfig | undefined;
  readonly insecureNoAuth: boolean;
  readonly tls: ApiTlsFiles | undefined;
  /** Signs calls to functions, when a key is configured. */
  readonly callSigner: CallSigner | undefined;
  /** Complete scheduled snapshots kept (also in `snapshots`). */
  readonly snapshotKeep: number;
  readonly clock: Clock;
}

/** A whole number from `min` (to `max`), with one message for every way a value can miss it. */
function wholeNumber(min: number, max?: number): z.ZodNumber {
  const error =
    max !== undefined
      ? `expected a whole number from ${min} to ${max}`
      : min === 1
        ? 'expected a positive whole number'
        : `expected a whole number ≥ ${min}`;
  const atLeast = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}

/**
 * The options a plain value sets. Each option's default is written here and nowhere else: the TSDoc
 * `@default`s of {@link RuntimeOptions} and the CLI's usage text are checked against or built from
 * {@link RUNTIME_OPTION_DEFAULTS}, which is read from this schema.
 */
const scalars = z.strictObject({
  dataDir: z.string().min(1, { error: 'expected a non-empty path' }).default('./.statehouse'),
  listen: z
    .string()
    .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8091')
    .default('127.0.0.1:8091'),
  keyGroups: wholeNumber(1, 65_536).default(DEFAULT_KEY_GROUPS),
  maxIngressBytes: wholeNumber(1).default(4 * 1024 * 1024),
  maxIdBytes: wholeNumber(1, STORE_TEXT_LIMITS.id).default(STORE_TEXT_LIMITS.id),
  // Below 1 KiB a request with a token and a typename would not fit; node's parser takes up to 16 MiB.
  maxHeaderBytes: wholeNumber(1024, 16 * 1024 * 1024).default(16 * 1024),
  maxHeaders: wholeNumber(8, 1000).default(100),
  maxConnections: wholeNumber(1).default(1024),
  maxEgressLimit: wholeNumber(1).default(10_000),
  maxEgressWaitMs: wholeNumber(1).default(30_000),
  maxInboxMessages: wholeNumber(1).default(10_000),
  // Every message counts at least 1 KiB (memory-budget.ts): a budget under 64 KiB would hold a handful.
  maxInboxBytes: wholeNumber(64 * 1024).default(32 * 1024 * 1024),
  maxInFlightInvocations: wholeNumber(1).default(1024),
  stateCacheAddresses: wholeNumber(1).default(100_000),
  idempotencyWindowMs: wholeNumber(1).default(24 * 60 * 60 * 1000),
  maintenanceIntervalMs: wholeNumber(1).default(10_000),
  lowSpaceBytes: wholeNumber(0).default(1024 * 1024 * 1024),
  stalledRetryMaxMs: wholeNumber(1).default(10_000),
  collectProcessMetrics: z.boolean().default(true),
  tracing: z.boolean().default(true),
  storeUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'expected a postgres://user:password@host:port/database URL')
    .refine(isStoreUrlEncodingValid, `the URL (--store) ${STORE_URL_ENCODING_HINT}`)
    .optional(),
  nodeId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1-100 letters, digits, ".", "_" or "-"')
    .optional(),
  advertise: z.string().min(1, { error: 'expected a non-empty host:port' }).optional(),
  leaseMs: wholeNumber(500).default(10_000),
  heartbeatMs: wholeNumber(1).optional(),
  snapshotTo: z.string().min(1, { error: 'expected a directory or s3://bucket/prefix' }).optional(),
  snapshotEvery: z.union([z.string(), z.number()], { error: 'expected a duration, e.g. "15m"' }).optional(),
  snapshotKeep: wholeNumber(1).default(24),
  insecureNoAuth: z.boolean().default(false),
  tls: z
    .strictObject({
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
      clientCaFile: z.string().min(1).optional(),
    })
    .optional(),
});

type Scalars = z.output<typeof scalars>;

/** The options that have a fixed default, each with its default. */
export type RuntimeOptionDefaults = {
  readonly [K in keyof Scalars as undefined extends Scalars[K] ? never : K]: Scalars[K];
};

/**
 * The default of every {@link RuntimeOptions} field that has a fixed one (others, such as `nodeId` or
 * `heartbeatMs`, are derived when resolving). Read from the validation schema, so it cannot drift from it.
 *
 * @example
 * ```ts
 * RUNTIME_OPTION_DEFAULTS.listen; // '127.0.0.1:8091'
 * ```
 */
export const RUNTIME_OPTION_DEFAULTS: RuntimeOptionDefaults = Object.freeze(scalars.parse({}));

/** How a value that failed the schema is shown in the message. */
/** URL options as they may be shown: a store URL without its password, a snapshot location without credentials. */
function withoutSecrets(option: string, input: unknown): unknown {
  if (typeof input !== 'string') return input;
  return option === 'storeUrl' ? redactUrl(input) : option === 'snapshotTo' ? redactLocation(input) : input;
}

function describeInput(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (typeof input === 'function') return 'a function';
  if (typeof input === 'object' && input !== null) return Array.isArray(input) ? 'an array' : 'an object';
  return String(input);
}

/**
 * Validates options and applies defaults.
 *
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` naming the option (also in its `option` field), the
 *   value seen and the accepted values.
 */
export function resolveRuntimeOptions(options: RuntimeOptions): Readonly<ResolvedRuntimeOptions> {
  const { module, store, logger, onFatal, clock, connectors, apiAuth, callSigningKey, ...rest } = options;
  const o = parseScalars(rest);
  const auth = apiAuth === undefined ? undefined : checkApiAuth(apiAuth, 'runtime option apiAuth');
  if (o.heartbeatMs !== undefined && o.heartbeatMs * 2 > o.leaseMs) {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_OPTION',
      `runtime option heartbeatMs (${o.heartbeatMs}) must be at most half of leaseMs (${o.leaseMs}), or leases expire between heartbeats`,
      { option: 'heartbeatMs' },
    );
  }
  const { host, port } = parseListen(o.listen);
  // Mutual TLS authenticates every client: such an API is not open.
  checkOpenApi(host, auth, o.insecureNoAuth || o.tls?.clientCaFile !== undefined);
  return Object.freeze({
    module,
    dataDir: resolve(o.dataDir),
    store,
    storeUrl: o.storeUrl,
    nodeId: o.nodeId ?? defaultNodeId(),
    advertise: o.advertise,
    leaseMs: o.leaseMs,
    heartbeatMs: o.heartbeatMs ?? Math.min(1_000, Math.floor(o.leaseMs / 4)),
    host,
    port,
    keyGroups: o.keyGroups,
    maxIngressBytes: o.maxIngressBytes,
    maxIdBytes: o.maxIdBytes,
    maxHeaderBytes: o.maxHeaderBytes,
    maxHeaders: o.maxHeaders,
    maxConnections: o.maxConnections,
    maxEgressLimit: o.maxEgressLimit,
    maxEgressWaitMs: o.maxEgressWaitMs,
    maxInboxMessages: o.maxInboxMessages,
    maxInboxBytes: o.maxInboxBytes,
    maxInFlightInvocations: o.maxInFlightInvocations,
    stateCacheAddresses: o.stateCacheAddresses,
    idempotencyWindowMs: o.idempotencyWindowMs,
    stalledRetryMaxMs: o.stalledRetryMaxMs,
    logger,
    collectProcessMetrics: o.collectProcessMetrics,
    tracing: o.tracing,
    onFatal,
    connectors: connectors ?? [],
    maintenanceIntervalMs: o.maintenanceIntervalMs,
    lowSpaceBytes: o.lowSpaceBytes,
    snapshots: resolveSnapshotSchedule(o),
    apiAuth: auth,
    insecureNoAuth: o.insecureNoAuth,
    tls: o.tls,
    callSigner: callSigningKey === undefined ? undefined : createCallSigner(callSigningKey),
    snapshotKeep: o.snapshotKeep,
    clock: typeof clock === 'function' ? { ...systemClock, now: clock } : (clock ?? systemClock),
  });
}

/** Checks the plain options against the schema. @throws {@link ConfigError} naming the first bad option. */
function parseScalars(input: unknown): Scalars {
  const parsed = scalars.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = issue.path[0];
  if (typeof option !== 'string') {
    // An unknown key: the path is empty and zod's message names the key.
    throw new ConfigError('ERR_CONFIG_INVALID_OPTION', `runtime options: ${issue.message}`);
  }
  throw new ConfigError(
    'ERR_CONFIG_INVALID_OPTION',
    `runtime option ${option}: ${issue.message}, got ${describeInput(withoutSecrets(option, issue.input))}`,
    { option },
  );
}

/** Splits a checked `host:port` (IPv6 in brackets). @throws {@link ConfigError} on a port over 65535. */
function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(colon + 1));
  if (port > 65_535) {
    throw new ConfigError('ERR_CONFIG_INVALID_OPTION', `runtime option listen: port ${port} is over 65535`, {
      option: 'listen',
    });
  }
  return { host, port };
}

/** Whether a host is this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/u.test(host);
}

/**
 * Refuses an API without tokens on an address other machines reach.
 *
 * @throws {@link ConfigError} `ERR_CONFIG_INSECURE_LISTEN` (option `listen`).
 */
function checkOpenApi(host: string, auth: ApiAuthConfig | undefined, insecureNoAuth: boolean): void {
  if (auth !== undefined || insecureNoAuth || isLoopback(host)) return;
  throw new ConfigError(
    'ERR_CONFIG_INSECURE_LISTEN',
    `runtime option listen: ${host} is reachable from other machines, and the API has no tokens: anyone who reaches ` +
      'the port could send messages and read every state. Give API tokens (--api-tokens FILE or ' +
      'STATEHOUSE_API_TOKEN), or, behind a proxy that authenticates, --insecure-no-auth.',
    { option: 'listen' },
  );
}

/** A node id unique to this process: the host name, the pid and a random suffix. */
function defaultNodeId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 40);
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
