/**
 * A Statehouse runtime: store, engine and HTTP API wired together. Usable as a library (tests and embedding
 * apps) and by the CLI. The engine is built by `runtime-engine.ts` once the store is open; the HTTP side is in
 * `api/`; the background jobs in `runtime-jobs.ts`; how metrics, API and connectors read the engine in
 * `runtime-wiring.ts`.
 */
import { pino, type Logger } from 'pino';
import { ApiServer } from './api/http-server.js';
import { countBacklog, type BacklogEntry } from './api/runtime-backend.js';
import {
  createEndpointResolver,
  createPolicyResolver,
  type EndpointResolver,
  type ModuleConfig,
  type PolicyResolver,
} from './config/index.js';
import { findModuleWarnings } from './config/module-warnings.js';
import { KEY_GROUP_HASH } from './core/address.js';
import type { StallInfo } from './engine/dispatcher.js';
import type { RuntimeMetrics } from './engine/metrics.js';
import { SpecRegistry } from './engine/spec-registry.js';
import { StateCache } from './engine/state-cache.js';
import { StoreFullGuard } from './engine/store-full-guard.js';
import { EgressWaiters } from './egress/egress-waiters.js';
import { StatehouseError } from './errors.js';
import { FunctionClient } from './invoke/function-client.js';
import { DEFAULT_BACKOFF } from './invoke/retry-policy.js';
import { buildEngine, type Engine } from './runtime-engine.js';
import { createRuntimeJobs } from './runtime-jobs.js';
import { ApiAuth } from './api/api-auth.js';
import { checkConnectors, egressRecordCheck } from './runtime-connectors.js';
import {
  createBackendOf,
  createConsoleOf,
  createConnectorsOf,
  createMetricsOf,
  type RuntimeView,
  type Started,
} from './runtime-wiring.js';
import {
  resolveRuntimeOptions,
  type ResolvedRuntimeOptions,
  type RuntimeOptions,
} from './runtime-options.js';
import type { RuntimeState } from './runtime-state.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';
import { createTracingFromEnv } from './tracing/tracing-env.js';
import type { Tracing } from './tracing/tracing.js';

/** Messages of one address held in memory at most (twice its batch limit when that is smaller). */
const MAX_WINDOW_MESSAGES = 10_000;

export type { RuntimeState };

/**
 * The `event` field of the log line a runtime writes once it serves (with `url`): what a supervisor or a test
 * that starts `statehouse run` waits for, rather than the line's text.
 */
export const RUNTIME_READY_EVENT = 'runtime.ready';

/** A running Statehouse runtime. */
export class Runtime {
  readonly #options: ResolvedRuntimeOptions;
  readonly #log: Logger;
  readonly #store: Store;
  readonly #resolver: EndpointResolver;
  readonly #policies: PolicyResolver;
  readonly #specs = new SpecRegistry();
  readonly #cache: StateCache;
  readonly #client: FunctionClient;
  readonly #metrics: RuntimeMetrics;
  readonly #api: ApiServer;
  readonly #egressWaiters: EgressWaiters;
  readonly #storeFull: StoreFullGuard;
  readonly #tracing: Tracing | undefined;
  #started: Started | undefined;
  #state: RuntimeState = 'CREATED';
  #url = '';

  constructor(options: RuntimeOptions) {
    this.#options = resolveRuntimeOptions(options);
    this.#egressWaiters = new EgressWaiters({ clock: this.#options.clock });
    this.#log = this.#options.logger ?? pino({ level: 'info' });
    // The OpenTelemetry SDK reads the OTEL_* variables itself (spec), so they are read here, once, not by the CLI.
    this.#tracing = this.#options.tracing ? createTracingFromEnv(process.env) : undefined;
    for (const { message, ...fields } of findModuleWarnings(this.#options.module))
      this.#log.warn(fields, message);
    this.#store =
      this.#options.store ??
      (this.#options.storeUrl !== undefined
        ? new PostgresStore({ url: this.#options.storeUrl, logger: this.#log })
        : new SqliteStore({ path: this.#options.dataDir, logger: this.#log }));
    const { callSigner: signer, clock } = this.#options;
    this.#client = new FunctionClient(signer && { signer, now: () => clock.now() });
    if (signer !== undefined)
      this.#log.info({ keyId: signer.keyId, algorithm: signer.algorithm }, 'calls to functions are signed');
    this.#resolver = createEndpointResolver(this.#options.module);
    this.#policies = createPolicyResolver(this.#options.module);
    checkConnectors(
      this.#options.module,
      this.#options.connectors,
      (type) => this.#resolver.resolve(type) !== undefined,
    );
    this.#cache = new StateCache(
      { store: this.#store },
      { maxEntries: this.#options.stateCacheAddresses, keyGroups: this.#options.keyGroups },
    );
    this.#metrics = createMetricsOf(this.#view());
    this.#storeFull = new StoreFullGuard({
      clock: this.#options.clock,
      store: this.#store,
      metrics: this.#metrics,
      log: this.#log,
      isRunning: () => this.#state === 'RUNNING',
      onWritable: () => this.#started?.engine.mode.storeWritable() ?? Promise.resolve(),
    });
    this.#api = new ApiServer(
      { backend: createBackendOf(this.#view()), log: this.#log, console: createConsoleOf(this.#view()) },
      {
        host: this.#options.host,
        port: this.#options.port,
        maxIngressBytes: this.#options.maxIngressBytes,
        limits: this.#options,
        auth:
          this.#options.apiAuth === undefined
            ? undefined
            : new ApiAuth(this.#options.apiAuth, () => this.#options.clock.now()),
        tls: this.#options.tls,
      },
    );
  }

  /**
   * Reads the API's TLS certificate, key and client CA again (after they were renewed); new connections use them,
   * open ones are not dropped. Does nothing without TLS.
   *
   * @throws `ConfigError` `ERR_CONFIG_TLS_FILES` or the TLS library's error; the old certificate stays in use.
   */
  reloadTls(): void {
    this.#api.reloadTls();
  }

  /** The lifecycle state. */
  get state(): RuntimeState {
    return this.#state;
  }

  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8091` (after {@link Runtime.start}). */
  get url(): string {
    return this.#url;
  }

  /** The Prometheus registry of this runtime. */
  get metrics(): RuntimeMetrics {
    return this.#metrics;
  }

  /**
   * Opens the store, starts the HTTP API (`/readyz` answers 503 until recovery is done), recovers pending
   * messages and timers, and starts serving.
   *
   * @throws {@link StoreError} when the store cannot be opened; {@link StatehouseError}
   * `ERR_RUNTIME_INVALID_STATE` when the runtime was started (or closed) before.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') {
      throw new StatehouseError(
        'ERR_RUNTIME_INVALID_STATE',
        `cannot start a runtime in state ${this.#state}: a runtime starts once, from state CREATED; create a new Runtime to start again`,
      );
    }
    this.#state = 'RECOVERING';
    const started = performance.now();
    // The API first: /healthz answers while the store opens (a one-time rebuild, or a full disk, can take long).
    const bound = await this.#api.listen();
    this.#url = `${this.#api.isTls ? 'https' : 'http'}://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
    const meta = await this.#storeFull.open(
      () => this.#store.open({ keyGroups: this.#options.keyGroups, hash: KEY_GROUP_HASH }),
      () => this.#state === 'RECOVERING',
    );
    this.#specs.load(await this.#store.loadFunctionSpecs());
    const engine = await this.#buildEngine(meta.keyGroups);
    const jobs = createRuntimeJobs(
      {
        store: this.#store,
        log: this.#log,
        metrics: this.#metrics,
        mode: engine.mode,
        clock: this.#options.clock,
        tracing: this.#tracing,
      },
      this.#options,
    );
    const connectors = createConnectorsOf(this.#view(), meta.keyGroups);
    this.#started = { engine, jobs, connectors };
    const recovered = await engine.mode.start();
    engine.backlog.start();
    jobs.shipper?.start();
    jobs.maintenance.start();
    jobs.snapshots?.start();
    this.#state = 'RUNNING';
    await connectors.start();
    this.#log.info(
      {
        event: RUNTIME_READY_EVENT,
        url: this.#url,
        keyGroups: meta.keyGroups,
        ...recovered,
        recoveryMs: Math.round(performance.now() - started),
      },
      'runtime ready',
    );
  }

  /**
   * Stops in the documented order: stop intake (ingress answers 503) → abandon in-flight invocations (their
   * messages stay in the store and run again after a restart) → commit what was applied → close the store
   * and connections.
   */
  async close(): Promise<void> {
    if (this.#state === 'STOPPED' || this.#state === 'STOPPING') return;
    const failed = this.#state === 'FAILED';
    this.#state = 'STOPPING';
    // Connectors first: a batch being committed finishes (ingestion still works while STOPPING), then no more.
    await this.#started?.connectors.stop();
    this.#api.stopIntake();
    this.#egressWaiters.releaseAll();
    this.#storeFull.stop();
    const started = this.#started;
    if (started !== undefined) await this.#stopEngine(started, failed);
    await this.#api.close();
    await this.#client.close();
    await this.#store.close();
    // Last: the spans of the shutdown itself are exported too.
    await this.#tracing?.close().catch((err: unknown) => this.#log.warn({ err }, 'flushing traces failed'));
    this.#state = failed ? 'FAILED' : 'STOPPED';
    this.#log.info('runtime stopped');
  }

  async #stopEngine({ engine, jobs }: Started, failed: boolean): Promise<void> {
    await jobs.maintenance.stop();
    await jobs.snapshots?.stop();
    await engine.backlog.stop();
    if (!failed) {
      // Hand over key groups (what is applied commits first; late replies are dropped), so others take over
      // at once.
      await engine.mode.stop().catch((err: unknown) => this.#log.warn({ err }, 'leaving the cluster failed'));
    }
    engine.timers.stop();
    await jobs.shipper?.close();
    await engine.dispatcher.close();
    if (!failed) {
      await engine.committer.close().catch((err: unknown) => this.#log.error({ err }, 'final commit failed'));
    }
  }

  /** Addresses currently stalled. */
  stalled(): StallInfo[] {
    return this.#started?.engine.dispatcher.stalled() ?? [];
  }

  /**
   * The backlog per function type, counted now: pending messages in the store (cluster mode: of the key groups
   * this process owns) and the oldest one's age, with what is held in memory and stalled. Largest first.
   */
  backlog(): Promise<BacklogEntry[]> {
    return countBacklog(this.#started?.engine, () => this.#options.clock.now());
  }

  /** Store maintenance (retention, pruning, space); tests run a round with {@link Runtime.maintainNow}. */
  maintainNow(): Promise<void> {
    return this.#started?.jobs.maintenance.runOnce() ?? Promise.resolve();
  }

  #buildEngine(keyGroups: number): Promise<Engine> {
    const o = this.#options;
    const egressIds = new Set(o.module.egresses.map((e) => e.id));
    return buildEngine(
      {
        store: this.#store,
        log: this.#log,
        clock: o.clock,
        metrics: this.#metrics,
        cache: this.#cache,
        specs: this.#specs,
        client: this.#client,
        resolver: this.#resolver,
        hasEgress: (id) => egressIds.has(id),
        egressRecordProblem: egressRecordCheck(o.module, o.connectors),
        onEgress: (ids) => this.#announceEgress(ids),
        onReleasingLead: () => this.#started?.jobs.shipper?.settle() ?? Promise.resolve(),
        onFatal: (err) => this.#fatal(err),
        isServing: () => this.#state === 'RUNNING' || this.#state === 'RECOVERING',
        onStoreFull: (err) => this.#storeFull.enter(err),
        tracing: this.#tracing,
        deadLetterPolicy: (type) => this.#policies.resolve(type).deadLetters,
      },
      {
        keyGroups,
        maxInFlightInvocations: o.maxInFlightInvocations,
        backoff: { ...DEFAULT_BACKOFF, stalledMaxMs: o.stalledRetryMaxMs },
        memory: { maxMessages: o.maxInboxMessages, maxBytes: o.maxInboxBytes },
        windowMessages: MAX_WINDOW_MESSAGES,
        cluster: {
          nodeId: o.nodeId,
          advertise: o.advertise ?? this.#url.replace(/^http:\/\//, ''),
          leaseMs: o.leaseMs,
          heartbeatMs: o.heartbeatMs,
        },
      },
    );
  }

  /** Wakes long-polling readers and the webhook shipper of egresses that got committed records. */
  #announceEgress(egressIds: Iterable<string>): void {
    for (const id of egressIds) {
      this.#egressWaiters.notify(id);
      this.#started?.jobs.shipper?.notify(id);
    }
  }

  #fatal(err: unknown): void {
    if (this.#state === 'FAILED') return;
    this.#log.fatal({ err }, 'unrecoverable store failure; stopping (restart recovers from the store)');
    this.#state = 'FAILED';
    this.#cache.clear();
    const done = this.close().catch(() => undefined);
    void done
      .then(() => this.#options.onFatal?.(err))
      .catch((hookErr: unknown) => this.#log.error({ err: hookErr }, 'the onFatal hook threw'));
  }

  /**
   * The window the metrics, the API backend and the connectors read this runtime through. The constructor hands
   * it out before `#storeFull` and `#metrics` are set: their accessors are read only when used, never while wiring.
   */
  #view(): RuntimeView {
    return {
      options: this.#options,
      log: this.#log,
      store: this.#store,
      resolver: this.#resolver,
      policies: this.#policies,
      cache: this.#cache,
      egressWaiters: this.#egressWaiters,
      state: () => this.#state,
      started: () => this.#started,
      storeFull: () => this.#storeFull,
      metrics: () => this.#metrics,
      stalled: () => this.stalled(),
      backlog: () => this.backlog(),
      tracing: this.#tracing,
    };
  }
}

/**
 * Creates and starts a runtime.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ module: await loadModuleFile('module.yaml'), listen: '127.0.0.1:0' });
 * console.log(runtime.url);
 * await runtime.close();
 * ```
 * @throws {@link ConfigError} for invalid options, {@link StoreError} when the store cannot be opened.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const runtime = new Runtime(options);
  try {
    await runtime.start();
  } catch (err) {
    await runtime.close().catch(() => undefined);
    throw err;
  }
  return runtime;
}

export type { ModuleConfig };
