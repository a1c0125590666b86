/**
 * A Statehouse runtime: store, engine and HTTP API wired together. Usable as a library (tests and embedding
 * apps) and by the CLI.
 */
import { pino, type Logger } from 'pino';
import { ApiServer, type ApiBackend } from './api/http-server.js';
import { toApiValue, type ApiValue } from './api/value-json.js';
import { createEndpointResolver, type ModuleConfig } from './config/index.js';
import { KEY_GROUP_HASH, keyGroupOf, type FunctionAddress } from './core/address.js';
import { Committer, isStoreFull } from './engine/committer.js';
import { dropInMemoryState, type InMemoryEngine } from './engine/drop-in-memory-state.js';
import { Dispatcher, type StallInfo } from './engine/dispatcher.js';
import { IdAllocator } from './engine/id-allocator.js';
import { RuntimeMetrics } from './engine/metrics.js';
import { SpecRegistry } from './engine/spec-registry.js';
import { StateCache } from './engine/state-cache.js';
import { TimerService } from './engine/timer-service.js';
import { EgressWaiters } from './api/egress-waiters.js';
import { EgressRetention } from './egress/egress-retention.js';
import { HttpEgressShipper } from './egress/http-egress-shipper.js';
import { StoreMaintenance } from './engine/store-maintenance.js';
import { ApiError, StoreError } from './errors.js';
import { BlockIdAllocator } from './cluster/block-id-allocator.js';
import { ClusterMode } from './cluster/cluster-mode.js';
import { InboxTracker } from './cluster/inbox-tracker.js';
import type { IdSource } from './engine/id-allocator.js';
import { pendingFromStored, type PendingMessage } from './engine/pending-message.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import { isClusterStore } from './store/cluster-store.js';
import { FunctionClient } from './invoke/function-client.js';
import { DEFAULT_BACKOFF } from './invoke/retry-policy.js';
import {
  resolveRuntimeOptions,
  type ResolvedRuntimeOptions,
  type RuntimeOptions,
} from './runtime-options.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store, StoredValue, StoreMeta } from './store/store.js';

/** How often a full store is probed with a tiny write, ms. */
const SPACE_PROBE_INTERVAL_MS = 1_000;
/** Free bytes a full store's file system needs again before processing resumes (SQLite; not visible for PostgreSQL). */
const RESUME_FREE_BYTES = 4 * 1024 * 1024;

/** Lifecycle of a runtime. */
export type RuntimeState = 'CREATED' | 'RECOVERING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

/** A running Statehouse runtime. */
export class Runtime {
  readonly #options: ResolvedRuntimeOptions;
  readonly #log: Logger;
  readonly #store: Store;
  readonly #specs = new SpecRegistry();
  readonly #cache: StateCache;
  readonly #client = new FunctionClient();
  readonly #metrics: RuntimeMetrics;
  readonly #resolver;
  readonly #logEgresses: ReadonlySet<string>;
  readonly #allEgresses: ReadonlySet<string>;
  readonly #api: ApiServer;
  readonly #egressWaiters = new EgressWaiters();
  #committer: Committer | undefined;
  #dispatcher: Dispatcher | undefined;
  #timers: TimerService | undefined;
  #ids: IdSource | undefined;
  #cluster: ClusterMode | undefined;
  #shipper: HttpEgressShipper | undefined;
  #maintenance: StoreMaintenance | undefined;
  #state: RuntimeState = 'CREATED';
  #url = '';
  #reloading: Promise<void> = Promise.resolve();
  // Set while the store's disk is full: ingress answers 503, invocations pause, a probe waits for space.
  #storeFull: { readonly since: number; readonly message: string } | undefined;
  #spaceProbe: NodeJS.Timeout | undefined;

  constructor(options: RuntimeOptions) {
    this.#options = resolveRuntimeOptions(options);
    this.#log = this.#options.logger ?? pino({ level: 'info' });
    this.#store =
      this.#options.store ??
      (this.#options.storeUrl !== undefined
        ? new PostgresStore({ url: this.#options.storeUrl, logger: this.#log })
        : new SqliteStore({ path: this.#options.dataDir, logger: this.#log }));
    this.#cache = new StateCache(this.#store, this.#options.stateCacheAddresses, this.#options.keyGroups);
    this.#resolver = createEndpointResolver(this.#options.module);
    const egresses = this.#options.module.egresses;
    this.#logEgresses = new Set(egresses.filter((e) => e.kind === 'log').map((e) => e.id));
    this.#allEgresses = new Set(egresses.map((e) => e.id));
    this.#metrics = new RuntimeMetrics(
      {
        backlogByType: () => this.#dispatcher?.backlogByType() ?? new Map(),
        stalledByType: () => this.#dispatcher?.stalledByType() ?? new Map(),
        inboxMessages: () => this.#dispatcher?.messageCount ?? 0,
        pendingTimers: () => this.#timers?.size ?? 0,
        inFlightInvocations: () => this.#dispatcher?.inFlight ?? 0,
        cachedAddresses: () => this.#cache.size,
        // A cluster process owns nothing until its first round: never report K for it meanwhile.
        ownedKeyGroups: () =>
          isClusterStore(this.#store)
            ? (this.#cluster?.coordinator.owned.size ?? 0)
            : this.#options.keyGroups,
      },
      { collectProcessMetrics: this.#options.collectProcessMetrics },
    );
    this.#api = new ApiServer(
      this.#backend(),
      { host: this.#options.host, port: this.#options.port, maxIngressBytes: this.#options.maxIngressBytes },
      this.#log,
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
   * @throws {@link StoreError} when the store cannot be opened.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new Error(`cannot start a runtime in state ${this.#state}`);
    this.#state = 'RECOVERING';
    const started = performance.now();
    // The API first: /healthz answers while the store opens (a one-time rebuild, or a full disk, can take long).
    const bound = await this.#api.listen();
    this.#url = `http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
    const meta = await this.#openStore();
    this.#specs.load(await this.#store.loadFunctionSpecs());
    const log = this.#log;
    // Cluster mode when the store is shared by several processes (PostgreSQL).
    const cluster = isClusterStore(this.#store)
      ? { store: this.#store, ids: new BlockIdAllocator(this.#store), tracker: new InboxTracker() }
      : undefined;
    if (cluster !== undefined) await cluster.ids.rotate();
    const local = cluster === undefined ? new IdAllocator(await this.#store.loadCounters()) : undefined;
    const ids: IdSource = cluster?.ids ?? local!;
    this.#ids = ids;
    const committer = new Committer(
      this.#store,
      log.child({ component: 'committer' }),
      {
        onFatal: (err) => this.#fatal(err),
        onVoided: (err) => {
          if (this.#cluster !== undefined) this.#cluster.fenced(err);
          else this.#reloadLocal(local!, 'effects the store refused were voided');
        },
        onRefused: (address, err) => {
          this.#metrics.refusedEffectSets.inc({ reason: err.code });
          if (address !== undefined) this.#dispatcher?.quarantine(address, err);
        },
        onStoreFull: (err) => this.#onStoreFull(err, local),
      },
      {
        onCommit: ({ durationMs, effectSets, ingress }) => {
          this.#metrics.commitLatency.observe(durationMs / 1000);
          this.#metrics.commitEffectSets.observe(effectSets + ingress);
        },
      },
      cluster === undefined
        ? undefined
        : {
            store: cluster.store,
            incarnation: () => this.#cluster?.coordinator.incarnation ?? '',
            epochOf: (kg) => this.#cluster?.coordinator.epochOf(kg),
          },
    );
    this.#committer = committer;
    const timers = new TimerService((t) => this.#dispatcher?.fireTimer(t));
    this.#timers = timers;
    const dispatcher = new Dispatcher(
      {
        log,
        committer,
        cache: this.#cache,
        specs: this.#specs,
        timers,
        resolver: this.#resolver,
        client: this.#client,
        metrics: this.#metrics,
        ids,
        hasEgress: (id) => this.#allEgresses.has(id),
        onEgress: (records) => this.#announceEgress(new Set(records.map((r) => r.egressId))),
        ...(cluster === undefined
          ? {}
          : {
              owns: (kg: number) => this.#cluster?.coordinator.owns(kg) ?? false,
              onDeliver: (m: PendingMessage) => cluster.tracker.delivered(m.source.seq, m.keyGroup),
              onConsumed: (seqs: readonly number[]) => cluster.tracker.consumed(seqs),
            }),
      },
      {
        keyGroups: meta.keyGroups,
        maxInFlightInvocations: this.#options.maxInFlightInvocations,
        backoff: { ...DEFAULT_BACKOFF, stalledMaxMs: this.#options.stalledRetryMaxMs },
      },
    );
    this.#dispatcher = dispatcher;
    let pendingMessages = 0;
    let pendingTimers = 0;
    if (cluster === undefined) {
      ({ messages: pendingMessages, timers: pendingTimers } = await this.#loadLocal());
    } else {
      this.#cluster = new ClusterMode(
        {
          ...cluster,
          dispatcher,
          committer,
          timers,
          cache: this.#cache,
          metrics: this.#metrics,
          log,
          // Records committed by other processes wake this process's long polls and webhook shipper too.
          onEgressAnnounced: (egressIds) => this.#announceEgress(egressIds),
        },
        {
          nodeId: this.#options.nodeId,
          advertise: this.#options.advertise ?? this.#url.replace(/^http:\/\//, ''),
          keyGroups: meta.keyGroups,
          leaseMs: this.#options.leaseMs,
          heartbeatMs: this.#options.heartbeatMs,
        },
      );
      await this.#cluster.start();
    }
    const webhooks = this.#options.module.egresses.flatMap((e) =>
      e.kind === 'http' ? [{ id: e.id, url: e.url }] : [],
    );
    if (webhooks.length > 0) {
      this.#shipper = new HttpEgressShipper(
        this.#store,
        webhooks,
        log,
        // In a cluster one process ships: the owner of key group 0.
        this.#cluster === undefined ? {} : { isShipper: () => this.#cluster?.coordinator.owns(0) ?? false },
        {
          onDelivered: (egress, n) => this.#metrics.egressDelivered.inc({ egress }, n),
          onFailed: (egress) => this.#metrics.egressDeliveryFailures.inc({ egress }),
        },
      );
      this.#shipper.start();
    }
    const egresses = this.#options.module.egresses;
    this.#maintenance = new StoreMaintenance({
      store: this.#store,
      retention: new EgressRetention(
        this.#store,
        egresses,
        log,
        {
          now: this.#options.clock,
          // In a cluster one process applies retention: the owner of key group 0.
          ...(this.#cluster === undefined
            ? {}
            : { isPruner: () => this.#cluster?.coordinator.owns(0) ?? false }),
        },
        {
          onTrimmed: (egress, n) => this.#metrics.egressTrimmed.inc({ egress }, n),
          onSkippedUndelivered: (egress, n) => this.#metrics.egressSkippedUndelivered.inc({ egress }, n),
        },
      ),
      egressIds: egresses.map((e) => e.id),
      metrics: this.#metrics,
      log,
      now: this.#options.clock,
      intervalMs: this.#options.maintenanceIntervalMs,
      idempotencyWindowMs: this.#options.idempotencyWindowMs,
      lowSpaceBytes: this.#options.lowSpaceBytes,
    });
    this.#maintenance.start();
    this.#state = 'RUNNING';
    this.#log.info(
      {
        url: this.#url,
        keyGroups: meta.keyGroups,
        pendingMessages,
        pendingTimers,
        ...(this.#cluster === undefined
          ? {}
          : { nodeId: this.#options.nodeId, ownedKeyGroups: this.#cluster.coordinator.owned.size }),
        recoveryMs: Math.round(performance.now() - started),
      },
      'runtime ready',
    );
  }

  /**
   * Opens the store. A full disk does not stop the start: `/readyz` says `store-full` and the open is tried
   * again every second until it succeeds (or the runtime is closed).
   */
  async #openStore(): Promise<StoreMeta> {
    for (;;) {
      try {
        const meta = await this.#store.open({ keyGroups: this.#options.keyGroups, hash: KEY_GROUP_HASH });
        if (this.#storeFull !== undefined) {
          this.#storeFull = undefined;
          this.#metrics.storeFull.set(0);
        }
        return meta;
      } catch (err) {
        if (!isStoreFull(err) || this.#state !== 'RECOVERING') throw err;
        if (this.#storeFull === undefined) {
          this.#log.error(
            { err: err.message },
            'the store cannot be opened: its disk is full; retrying every second',
          );
          this.#storeFull = { since: Date.now(), message: err.message };
          this.#metrics.storeFull.set(1);
        }
        await new Promise((resolve) => setTimeout(resolve, SPACE_PROBE_INTERVAL_MS));
      }
    }
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
    this.#api.stopIntake();
    this.#egressWaiters.releaseAll();
    await this.#maintenance?.stop();
    if (this.#spaceProbe !== undefined) clearTimeout(this.#spaceProbe);
    if (this.#cluster !== undefined && !failed) {
      // Hand over key groups (what is applied commits first; late replies are dropped), so others take over
      // at once.
      await this.#cluster
        .stop()
        .catch((err: unknown) => this.#log.warn({ err }, 'leaving the cluster failed'));
    }
    this.#timers?.stop();
    await this.#shipper?.close();
    await this.#dispatcher?.close();
    if (!failed)
      await this.#committer?.close().catch((err: unknown) => this.#log.error({ err }, 'final commit failed'));
    await this.#api.close();
    await this.#client.close();
    await this.#store.close();
    this.#state = failed ? 'FAILED' : 'STOPPED';
    this.#log.info('runtime stopped');
  }

  /** Wakes long-polling readers and the webhook shipper of egresses that got committed records. */
  #announceEgress(egressIds: Iterable<string>): void {
    for (const id of egressIds) {
      this.#egressWaiters.notify(id);
      this.#shipper?.notify(id);
    }
  }

  /** Addresses currently stalled. */
  stalled(): StallInfo[] {
    return this.#dispatcher?.stalled() ?? [];
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
   * Single process: fills the mailboxes from the store and arms the timers, then starts invoking (so that
   * readiness does not wait for the first invocations).
   */
  async #loadLocal(): Promise<{ messages: number; timers: number }> {
    const dispatcher = this.#dispatcher!;
    dispatcher.pause();
    const messages = await this.#store.loadMessages();
    for (const m of messages) dispatcher.deliver(pendingFromStored(m));
    const timers = await this.#store.loadTimers();
    this.#timers!.arm(timers);
    setImmediate(() => dispatcher.resume());
    return { messages: messages.length, timers: timers.length };
  }

  /** The engine parts built by start(). */
  #engine(): InMemoryEngine {
    return {
      dispatcher: this.#dispatcher!,
      committer: this.#committer!,
      timers: this.#timers!,
      cache: this.#cache,
    };
  }

  /**
   * Single process: uncommitted work was voided (it rested on effects the store refused), or the store accepts
   * writes again after a full disk. Drop everything in memory and load it again from the store, as a restart
   * would, without stopping.
   */
  #reloadLocal(ids: IdAllocator, reason: string): void {
    this.#reloading = this.#reloading
      .then(async () => {
        if (this.#state !== 'RUNNING' && this.#state !== 'RECOVERING') return;
        const voided = new StoreError(
          'ERR_STORE_COMMIT_FAILED',
          'voided: the runtime reloads from the store',
          {
            retryable: true,
          },
        );
        await dropInMemoryState(this.#engine(), voided);
        ids.reset(await this.#store.loadCounters());
        // Submissions (ingress) stay refused until everything is loaded: a message committed meanwhile would be
        // both loaded and delivered by its ingress request.
        const loaded = await this.#loadLocal();
        this.#committer!.resume();
        this.#log.warn({ ...loaded, reason }, 'reloaded pending messages and timers from the store');
      })
      .catch((err: unknown) => this.#fatal(err));
  }

  /**
   * The disk is full: nothing was applied and nothing committed is touched. Drop uncommitted work, pause, and
   * probe with a tiny write until the store can write again; then reload and go on, without a restart.
   */
  #onStoreFull(err: StoreError, local: IdAllocator | undefined): void {
    if (this.#storeFull === undefined) {
      this.#storeFull = { since: Date.now(), message: err.message };
      this.#metrics.storeFull.set(1);
      this.#log.error(
        { err: err.message },
        'the store is full: ingress answers 503 and invocations pause until space is freed (reads keep working)',
      );
    }
    if (local === undefined) {
      // Cluster mode: drop what is in memory and re-take the key groups (commits keep failing until space frees).
      this.#cluster?.fenced(err);
    } else {
      this.#reloading = this.#reloading
        .then(async () => {
          await dropInMemoryState(this.#engine(), err);
        })
        .catch((e: unknown) => this.#fatal(e));
    }
    if (this.#spaceProbe !== undefined) return;
    const probe = async (): Promise<void> => {
      if (this.#state !== 'RUNNING') return;
      try {
        // Resume only with room to work: a tiny write can succeed while real commits still fail.
        const { freeBytes } = await this.#store.measureSpace();
        if (freeBytes !== undefined && freeBytes < RESUME_FREE_BYTES)
          throw new Error(`only ${freeBytes} bytes free`);
        await this.#store.probeWrite();
      } catch {
        this.#spaceProbe = setTimeout(() => void probe(), SPACE_PROBE_INTERVAL_MS);
        this.#spaceProbe.unref();
        return;
      }
      this.#spaceProbe = undefined;
      if (local !== undefined) this.#reloadLocal(local, 'the store accepts writes again');
      await this.#reloading;
      const pausedMs = Date.now() - (this.#storeFull?.since ?? Date.now());
      this.#storeFull = undefined;
      this.#metrics.storeFull.set(0);
      this.#log.info({ pausedMs }, 'the store accepts writes again; resuming');
    };
    this.#spaceProbe = setTimeout(() => void probe(), SPACE_PROBE_INTERVAL_MS);
    this.#spaceProbe.unref();
  }

  /** Store maintenance (retention, pruning, space); tests run a round with {@link Runtime.maintainNow}. */
  maintainNow(): Promise<void> {
    return this.#maintenance?.runOnce() ?? Promise.resolve();
  }

  #backend(): ApiBackend {
    return {
      ingress: (target, argument, key) => this.#ingress(target, argument, key),
      readEgress: async (egressId, from, limit, waitMs) => {
        if (!this.#logEgresses.has(egressId)) {
          throw new ApiError(
            404,
            'ERR_API_UNKNOWN_EGRESS',
            `no log egress ${egressId} is configured (kind io.statehouse.egress.v1/log)`,
          );
        }
        let rows = await this.#store.readEgress(egressId, from, limit);
        if (rows.length === 0 && waitMs > 0) {
          await this.#egressWaiters.wait(egressId, waitMs);
          rows = await this.#store.readEgress(egressId, from, limit);
        }
        if (rows[0]?.offset !== from) {
          // Records below the retained range are gone: say so, never answer with silently fewer records.
          const range = await this.#store.readEgressRange(egressId);
          if (from < range.firstOffset) {
            throw new ApiError(
              410,
              'ERR_API_EGRESS_TRIMMED',
              `records of ${egressId} before offset ${range.firstOffset} were deleted by its retention; read from ?from=${range.firstOffset} (the earliest offset kept)`,
              { details: { earliestOffset: range.firstOffset } },
            );
          }
        }
        return {
          records: rows.map((r) => ({ offset: r.offset, ...toApiValue(r.value) })),
          next: rows.length > 0 ? rows[rows.length - 1]!.offset + 1 : from,
        };
      },
      readState: async (address) => {
        const now = Date.now();
        const rows = (await this.#store.readState(address)).filter(
          (r) => r.expiresAt === undefined || r.expiresAt > now,
        );
        if (rows.length === 0) return undefined;
        const values: Record<string, ApiValue> = {};
        for (const r of rows) values[r.name] = toApiValue(r);
        return values;
      },
      stalled: () =>
        this.stalled().map((s) => ({
          functionType: s.address.type,
          id: s.address.id,
          since: new Date(s.since).toISOString(),
          attempts: s.attempts,
          batchSize: s.batchSize,
          lastError: s.lastError,
        })),
      notReady: () => {
        const state = {
          status: this.#state.toLowerCase(),
          reason: `the runtime is ${this.#state.toLowerCase()}`,
        };
        if (this.#state !== 'RUNNING' && this.#state !== 'RECOVERING') return state;
        // In cluster mode, not ready while the database is out of reach (heartbeats failing).
        if (this.#cluster !== undefined && !this.#cluster.coordinator.isHealthy)
          return {
            status: 'store-unreachable',
            reason:
              'no recent heartbeat to the PostgreSQL store (unreachable, or this process was paused); retrying',
          };
        if (this.#storeFull !== undefined) return { status: 'store-full', reason: this.#storeFull.message };
        return this.#state === 'RUNNING' ? undefined : state;
      },
      countIngress: (status) => this.#metrics.ingressRequests.inc({ status: String(status) }),
      metrics: async () => ({
        contentType: this.#metrics.registry.contentType,
        body: await this.#metrics.registry.metrics(),
      }),
    };
  }

  async #ingress(
    target: FunctionAddress,
    argument: StoredValue,
    idempotencyKey: string | undefined,
  ): Promise<{ messageId: string }> {
    const dispatcher = this.#dispatcher;
    if (
      this.#state !== 'RUNNING' ||
      dispatcher === undefined ||
      this.#committer === undefined ||
      this.#ids === undefined
    ) {
      throw new ApiError(
        503,
        'ERR_API_NOT_READY',
        `the runtime is ${this.#state.toLowerCase()}; retry shortly`,
        { retryAfterSeconds: 1 },
      );
    }
    if (this.#storeFull !== undefined) throw storeFullError(this.#storeFull.message);
    if (this.#resolver.resolve(target.type) === undefined) {
      throw new ApiError(
        404,
        'ERR_API_UNKNOWN_FUNCTION_TYPE',
        `no endpoint in module.yaml serves function type ${target.type}`,
      );
    }
    if (dispatcher.messageCount >= this.#options.maxInboxMessages) {
      throw new ApiError(
        503,
        'ERR_API_OVERLOADED',
        `${dispatcher.messageCount} messages are waiting (limit ${this.#options.maxInboxMessages}); retry after a moment`,
        { retryAfterSeconds: 1 },
      );
    }
    let seq: number;
    try {
      seq = this.#ids.nextSeq();
    } catch (err) {
      // Cluster mode: the next block of ids is on its way from the database.
      throw new ApiError(503, 'ERR_API_RETRY', 'the runtime is reserving message ids; retry shortly', {
        retryAfterSeconds: 1,
        cause: err,
      });
    }
    const message = {
      seq,
      keyGroup: keyGroupOf(target, this.#options.keyGroups),
      target,
      caller: undefined,
      argument,
      enqueuedAt: Date.now(),
    };
    let result;
    try {
      result = await this.#committer.submitIngress({ message, idempotencyKey });
    } catch (err) {
      if (isStoreFull(err)) throw storeFullError(err.message, err);
      if (err instanceof StoreError && (err.code === 'ERR_STORE_FENCED' || err.retryable)) {
        throw new ApiError(
          503,
          'ERR_API_RETRY',
          `the message was not stored (${err.code}); retry, with the same idempotency-key`,
          {
            retryAfterSeconds: 1,
            cause: err,
          },
        );
      }
      throw err;
    }
    const owned = this.#cluster === undefined || this.#cluster.coordinator.owns(message.keyGroup);
    if (!result.duplicate && owned) {
      dispatcher.deliver({
        source: { kind: 'message', seq: message.seq },
        target,
        keyGroup: message.keyGroup,
        caller: undefined,
        argument,
      });
    }
    return { messageId: String(result.seq) };
  }
}

/** The answer to ingress while the store's disk is full. */
function storeFullError(detail: string, cause?: unknown): ApiError {
  return new ApiError(
    503,
    'ERR_API_STORE_FULL',
    `the message was not stored: the store's disk is full (${detail}); retry later, with the same idempotency-key`,
    { retryAfterSeconds: 5, cause },
  );
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
