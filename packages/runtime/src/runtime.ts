/**
 * A Statehouse runtime: store, engine and HTTP API wired together. Usable as a library (tests and embedding
 * apps) and by the CLI. The engine is built by `runtime-engine.ts` once the store is open; the HTTP side is in
 * `api/`; the background jobs in `runtime-jobs.ts`.
 */
import { pino, type Logger } from 'pino';
import { ApiServer } from './api/http-server.js';
import { createIngress } from './api/ingress.js';
import { countBacklog, createRuntimeBackend, type BacklogEntry } from './api/runtime-backend.js';
import {
  createEndpointResolver,
  createPolicyResolver,
  type EndpointResolver,
  type ModuleConfig,
  type PolicyResolver,
} from './config/index.js';
import { findModuleWarnings } from './config/module-warnings.js';
import { HTTP_EGRESS_KIND, LOG_EGRESS_KIND } from './config/index.js';
import type { EgressShippingStatus } from './egress/egress-shipper.js';
import { KEY_GROUP_HASH } from './core/address.js';
import type { StallInfo } from './engine/dispatcher.js';
import { RuntimeMetrics } from './engine/metrics.js';
import { SpecRegistry } from './engine/spec-registry.js';
import { StateCache } from './engine/state-cache.js';
import { StoreFullGuard } from './engine/store-full-guard.js';
import { EgressWaiters } from './egress/egress-waiters.js';
import { StatehouseError } from './errors.js';
import { FunctionClient } from './invoke/function-client.js';
import { DEFAULT_BACKOFF } from './invoke/retry-policy.js';
import { buildEngine, type Engine } from './runtime-engine.js';
import { createRuntimeJobs, type RuntimeJobs } from './runtime-jobs.js';
import { checkConnectors, egressRecordCheck, RuntimeConnectors } from './runtime-connectors.js';
import { createIngest } from './connectors/ingest.js';
import {
  resolveRuntimeOptions,
  type ResolvedRuntimeOptions,
  type RuntimeOptions,
} from './runtime-options.js';
import type { RuntimeState } from './runtime-state.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';

/** Messages of one address held in memory at most (twice its batch limit when that is smaller). */
const MAX_WINDOW_MESSAGES = 10_000;
/**
 * The backlog of a function type at which ingress connectors pause the partitions feeding it, when its policy
 * sets no `maxBacklog`: the source keeps the rest (Kafka is the buffer), the store does not copy all of it.
 */
const CONNECTOR_BACKLOG_LIMIT = 100_000;

export type { RuntimeState };

/** What {@link Runtime.start} builds, once. */
interface Started {
  readonly engine: Engine;
  readonly jobs: RuntimeJobs;
  readonly connectors: RuntimeConnectors;
}

/** A running Statehouse runtime. */
export class Runtime {
  readonly #options: ResolvedRuntimeOptions;
  readonly #log: Logger;
  readonly #store: Store;
  readonly #resolver: EndpointResolver;
  readonly #policies: PolicyResolver;
  readonly #specs = new SpecRegistry();
  readonly #cache: StateCache;
  readonly #client = new FunctionClient();
  readonly #metrics: RuntimeMetrics;
  readonly #api: ApiServer;
  readonly #egressWaiters: EgressWaiters;
  readonly #storeFull: StoreFullGuard;
  #started: Started | undefined;
  #state: RuntimeState = 'CREATED';
  #url = '';

  constructor(options: RuntimeOptions) {
    this.#options = resolveRuntimeOptions(options);
    this.#egressWaiters = new EgressWaiters({ clock: this.#options.clock });
    this.#log = this.#options.logger ?? pino({ level: 'info' });
    for (const { message, ...fields } of findModuleWarnings(this.#options.module))
      this.#log.warn(fields, message);
    this.#store =
      this.#options.store ??
      (this.#options.storeUrl !== undefined
        ? new PostgresStore({ url: this.#options.storeUrl, logger: this.#log })
        : new SqliteStore({ path: this.#options.dataDir, logger: this.#log }));
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
    this.#metrics = this.#createMetrics();
    this.#storeFull = new StoreFullGuard({
      clock: this.#options.clock,
      store: this.#store,
      metrics: this.#metrics,
      log: this.#log,
      isRunning: () => this.#state === 'RUNNING',
      onWritable: () => this.#started?.engine.mode.storeWritable() ?? Promise.resolve(),
    });
    this.#api = new ApiServer(
      { backend: this.#createBackend(), log: this.#log },
      { host: this.#options.host, port: this.#options.port, maxIngressBytes: this.#options.maxIngressBytes },
    );
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
    this.#url = `http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
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
      },
      this.#options,
    );
    const connectors = this.#createConnectors(meta.keyGroups);
    this.#started = { engine, jobs, connectors };
    const recovered = await engine.mode.start();
    engine.backlog.start();
    jobs.shipper?.start();
    jobs.maintenance.start();
    this.#state = 'RUNNING';
    await connectors.start();
    this.#log.info(
      {
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
    this.#state = failed ? 'FAILED' : 'STOPPED';
    this.#log.info('runtime stopped');
  }

  async #stopEngine({ engine, jobs }: Started, failed: boolean): Promise<void> {
    await jobs.maintenance.stop();
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

  #createConnectors(keyGroups: number): RuntimeConnectors {
    const o = this.#options;
    const ingest = createIngest(
      {
        engine: () => {
          const engine = this.#started?.engine;
          const writable = this.#state === 'RUNNING' || this.#state === 'STOPPING';
          return writable && engine !== undefined ? engine : this.#state.toLowerCase();
        },
        now: () => o.clock.now(),
        backlog: {
          added: (type) => this.#started?.engine.backlog.added(type),
          enqueued: (type) => this.#started?.engine.backlog.enqueued(type),
          notEnqueued: (type) => this.#started?.engine.backlog.notEnqueued(type),
        },
      },
      { keyGroups },
    );
    return new RuntimeConnectors(
      {
        log: this.#log,
        clock: o.clock,
        registry: this.#metrics.registry,
        loadPositions: (connector) => this.#store.loadConnectorPositions(connector),
        ingest,
        isLeader: () => this.#started?.engine.mode.isLeader() ?? false,
        admits: (type) => {
          if (this.#storeFull.state !== undefined) return false;
          const limit = this.#policies.resolve(type).maxBacklog ?? CONNECTOR_BACKLOG_LIMIT;
          return (this.#started?.engine.backlog.messagesOf(type) ?? 0) < limit;
        },
      },
      o.module,
      o.connectors,
    );
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

  #createMetrics(): RuntimeMetrics {
    const dispatcher = () => this.#started?.engine.dispatcher;
    return new RuntimeMetrics(
      {
        backlogByType: () => this.#started?.engine.backlog.byType() ?? new Map(),
        now: () => this.#options.clock.now(),
        inboxBytes: () => dispatcher()?.memoryBytes ?? 0,
        stalledByType: () => dispatcher()?.stalledByType() ?? new Map(),
        inboxMessages: () => dispatcher()?.messageCount ?? 0,
        pendingTimers: () => this.#started?.engine.timers.size ?? 0,
        inFlightInvocations: () => dispatcher()?.inFlight ?? 0,
        cachedAddresses: () => this.#cache.size,
        // A cluster process owns nothing until its first round: never report K for it meanwhile.
        ownedKeyGroups: () => this.#started?.engine.mode.ownedKeyGroups ?? 0,
        egressLag: async () => new Map((await this.#shippingStatus()).map((e) => [e.id, e.lag] as const)),
      },
      { collectProcessMetrics: this.#options.collectProcessMetrics },
    );
  }

  #createBackend(): ReturnType<typeof createRuntimeBackend> {
    const o = this.#options;
    const policies = this.#policies;
    const ingress = createIngress(
      {
        engine: () => {
          const engine = this.#started?.engine;
          return this.#state !== 'RUNNING' || engine === undefined ? this.#state.toLowerCase() : engine;
        },
        storeFull: () => this.#storeFull.state?.message,
        now: () => o.clock.now(),
        isServed: (type) => this.#resolver.resolve(type) !== undefined,
        backlogLimit: (type) => policies.resolve(type).maxBacklog,
        backlogOf: (type) => this.#started?.engine.backlog.messagesOf(type) ?? 0,
        onAccepted: (type) => this.#started?.engine.backlog.added(type),
        onEnqueued: (type) => this.#started?.engine.backlog.enqueued(type),
        onNotEnqueued: (type) => this.#started?.engine.backlog.notEnqueued(type),
        ingressSeqOf: (key) => this.#store.ingressSeqOf(key),
      },
      { keyGroups: o.keyGroups },
    );
    const documentKind = { log: LOG_EGRESS_KIND, http: HTTP_EGRESS_KIND } as const;
    const egressKinds = new Map(
      o.module.egresses.map((e) => [
        e.id,
        e.kind === 'log' || e.kind === 'http' ? documentKind[e.kind] : e.kind,
      ]),
    );
    return createRuntimeBackend({
      store: this.#store,
      metrics: this.#metrics,
      egressWaiters: this.#egressWaiters,
      logEgresses: new Set(o.module.egresses.filter((e) => e.kind === 'log').map((e) => e.id)),
      ingress,
      stalled: () => this.stalled(),
      backlog: () => this.backlog(),
      readiness: () => ({
        state: this.#state,
        isStoreReachable: this.#started?.engine.mode.isHealthy ?? true,
        storeFull: this.#storeFull.state?.message,
      }),
      now: () => o.clock.now(),
      connectors: async () => [
        ...(this.#started?.connectors.status() ?? []).map((c) => ({ direction: 'ingress' as const, ...c })),
        ...(await this.#shippingStatus()).map((e) => ({
          direction: 'egress' as const,
          kind: egressKinds.get(e.id) ?? 'unknown',
          ...e,
        })),
      ],
    });
  }

  /** Where shipping each webhook and connector egress stands; empty before start. */
  async #shippingStatus(): Promise<EgressShippingStatus[]> {
    return (await this.#started?.jobs.shipper?.status()) ?? [];
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
