/**
 * How a runtime's long-lived parts see each other. The metrics, the HTTP API's backend and the ingress
 * connectors are built when the runtime is created or started, but read the engine, which exists only once the
 * store is open: each is built here from a {@link RuntimeView}, a narrow window onto the runtime that reads the
 * engine when asked, never before.
 */
import type { Logger } from 'pino';
import type { ApiBackend } from './api/http-server.js';
import { createDeadLetterBackend, type DeadLetterBackend } from './api/dead-letters.js';
import { createIngress } from './api/ingress.js';
import { ConsoleAssets } from './api/console-assets.js';
import { createConsoleBackend, type ConsoleBackend } from './api/console-backend.js';
import { readClusterStatus } from './cluster/cluster-status.js';
import { createRuntimeBackend, type BacklogEntry } from './api/runtime-backend.js';
import {
  HTTP_EGRESS_KIND,
  LOG_EGRESS_KIND,
  type EndpointResolver,
  type PolicyResolver,
} from './config/index.js';
import { createIngest } from './connectors/ingest.js';
import type { EgressShippingStatus } from './egress/egress-shipper.js';
import type { EgressWaiters } from './egress/egress-waiters.js';
import type { StallInfo } from './engine/dispatcher.js';
import { RuntimeMetrics } from './engine/metrics.js';
import type { StateCache } from './engine/state-cache.js';
import type { StoreFullGuard } from './engine/store-full-guard.js';
import type { Engine } from './runtime-engine.js';
import type { RuntimeJobs } from './runtime-jobs.js';
import { RuntimeConnectors } from './runtime-connectors.js';
import type { ResolvedRuntimeOptions } from './runtime-options.js';
import type { RuntimeState } from './runtime-state.js';
import { isClusterStore } from './store/cluster-store.js';
import type { CommitBatch, CommitResult, Store } from './store/store.js';
import { RUNTIME_SNAPSHOT_CPU_SHARE } from './snapshot/create-snapshot.js';
import { exportState } from './snapshot/state-export.js';
import { snapshotNow, snapshotSourceOf } from './snapshot/store-source.js';
import type { Tracing } from './tracing/tracing.js';

/**
 * The backlog of a function type at which ingress connectors pause the partitions feeding it, when its policy
 * sets no `maxBacklog`: the source keeps the rest (Kafka is the buffer), the store does not copy all of it.
 */
const CONNECTOR_BACKLOG_LIMIT = 100_000;

/** What {@link Runtime.start} builds, once. */
export interface Started {
  readonly engine: Engine;
  readonly jobs: RuntimeJobs;
  readonly connectors: RuntimeConnectors;
}

/** The parts of a runtime that others read; the functions ones are read when called, not when wired. */
export interface RuntimeView {
  readonly options: ResolvedRuntimeOptions;
  readonly log: Logger;
  readonly store: Store;
  readonly resolver: EndpointResolver;
  readonly policies: PolicyResolver;
  readonly cache: StateCache;
  readonly egressWaiters: EgressWaiters;
  readonly state: () => RuntimeState;
  /** The engine and what runs with it; undefined until the store is open. */
  readonly started: () => Started | undefined;
  readonly storeFull: () => StoreFullGuard;
  readonly metrics: () => RuntimeMetrics;
  readonly stalled: () => StallInfo[];
  readonly backlog: () => Promise<BacklogEntry[]>;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing: Tracing | undefined;
}

/** The engine while the runtime is in one of `states`, else the state's name (why it cannot take messages). */
function engineWhile(view: RuntimeView, states: readonly RuntimeState[]): Engine | string {
  const engine = view.started()?.engine;
  const state = view.state();
  return states.includes(state) && engine !== undefined ? engine : state.toLowerCase();
}

/** Where shipping each webhook and connector egress stands; empty before start. */
export async function shippingStatusOf(view: RuntimeView): Promise<EgressShippingStatus[]> {
  return (await view.started()?.jobs.shipper?.status()) ?? [];
}

/** The runtime's Prometheus metrics, reading the engine when scraped. */
export function createMetricsOf(view: RuntimeView): RuntimeMetrics {
  const engine = () => view.started()?.engine;
  const dispatcher = () => engine()?.dispatcher;
  return new RuntimeMetrics(
    {
      backlogByType: () => engine()?.backlog.byType() ?? new Map(),
      now: () => view.options.clock.now(),
      inboxBytes: () => dispatcher()?.memoryBytes ?? 0,
      stalledByType: () => dispatcher()?.stalledByType() ?? new Map(),
      inboxMessages: () => dispatcher()?.messageCount ?? 0,
      pendingTimers: () => engine()?.timers.size ?? 0,
      inFlightInvocations: () => dispatcher()?.inFlight ?? 0,
      cachedAddresses: () => view.cache.size,
      // A cluster process owns nothing until its first round: never report K for it meanwhile.
      ownedKeyGroups: () => engine()?.mode.ownedKeyGroups ?? 0,
      egressLag: async () => new Map((await shippingStatusOf(view)).map((e) => [e.id, e.lag] as const)),
    },
    { collectProcessMetrics: view.options.collectProcessMetrics },
  );
}

/** Ingress through the engine while it runs, with the backlog limits and counts of each function type. */
function ingressOf(view: RuntimeView): ReturnType<typeof createIngress> {
  const o = view.options;
  const backlog = () => view.started()?.engine.backlog;
  return createIngress(
    {
      engine: () => engineWhile(view, ['RUNNING']),
      storeFull: () => view.storeFull().state?.message,
      now: () => o.clock.now(),
      isServed: (type) => view.resolver.resolve(type) !== undefined,
      backlogLimit: (type) => view.policies.resolve(type).maxBacklog,
      backlogOf: (type) => backlog()?.messagesOf(type) ?? 0,
      onAccepted: (type) => backlog()?.added(type),
      onEnqueued: (type) => {
        backlog()?.enqueued(type);
        view.metrics().flow.recordIngress(type);
      },
      onNotEnqueued: (type) => backlog()?.notEnqueued(type),
      ingressSeqOf: (key) => view.store.ingressSeqOf(key),
      tracing: view.tracing,
    },
    { keyGroups: o.keyGroups },
  );
}

/** What the HTTP API serves: ingress while running, state, egress logs, readiness, backlog and connectors. */
export function createBackendOf(view: RuntimeView): ApiBackend {
  const o = view.options;
  const ingress = ingressOf(view);
  const documentKind = { log: LOG_EGRESS_KIND, http: HTTP_EGRESS_KIND } as const;
  const egressKinds = new Map(
    o.module.egresses.map((e) => [
      e.id,
      e.kind === 'log' || e.kind === 'http' ? documentKind[e.kind] : e.kind,
    ]),
  );
  return createRuntimeBackend({
    store: view.store,
    metrics: view.metrics(),
    egressWaiters: view.egressWaiters,
    logEgresses: new Set(o.module.egresses.filter((e) => e.kind === 'log').map((e) => e.id)),
    ingress,
    stalled: view.stalled,
    backlog: view.backlog,
    readiness: () => ({
      state: view.state(),
      isStoreReachable: view.started()?.engine.mode.isHealthy ?? true,
      storeFull: view.storeFull().state?.message,
    }),
    now: () => o.clock.now(),
    snapshot: (to) => snapshotNow(view.store, to),
    deadLetters: deadLettersOf(view),
    isServed: (type) => view.resolver.resolve(type) !== undefined,
    exportState: (functionType, write) =>
      exportState({
        source: snapshotSourceOf(view.store),
        functionType,
        write,
        cpuShare: RUNTIME_SNAPSHOT_CPU_SHARE,
      }),
    connectors: async () => [
      ...(view.started()?.connectors.status() ?? []).map((c) => ({ direction: 'ingress' as const, ...c })),
      ...(await shippingStatusOf(view)).map((e) => ({
        direction: 'egress' as const,
        kind: egressKinds.get(e.id) ?? 'unknown',
        ...e,
      })),
    ],
  });
}

/**
 * The ingress connectors of the module, ingesting through the engine while it runs (and while it stops, so a
 * batch being committed finishes) and pausing a source whose target type's backlog passes its limit.
 */
export function createConnectorsOf(view: RuntimeView, keyGroups: number): RuntimeConnectors {
  const o = view.options;
  const backlog = () => view.started()?.engine.backlog;
  const ingest = createIngest(
    {
      engine: () => engineWhile(view, ['RUNNING', 'STOPPING']),
      now: () => o.clock.now(),
      backlog: {
        added: (type) => backlog()?.added(type),
        enqueued: (type) => {
          backlog()?.enqueued(type);
          view.metrics().flow.recordIngress(type);
        },
        notEnqueued: (type) => backlog()?.notEnqueued(type),
      },
      tracing: view.tracing,
    },
    { keyGroups },
  );
  return new RuntimeConnectors(
    {
      log: view.log,
      clock: o.clock,
      registry: view.metrics().registry,
      loadPositions: (connector) => view.store.loadConnectorPositions(connector),
      ingest,
      isLeader: () => view.started()?.engine.mode.isLeader() ?? false,
      admits: (type) => {
        if (view.storeFull().state !== undefined) return false;
        const limit = view.policies.resolve(type).maxBacklog ?? CONNECTOR_BACKLOG_LIMIT;
        return (backlog()?.messagesOf(type) ?? 0) < limit;
      },
    },
    { module: o.module, plugins: o.connectors },
  );
}

/**
 * Commits a batch on its own, outside the engine's group commit (dead-letter replays and discards). In cluster
 * mode it is fenced by no lease (it consumes from no key group) and announces the key groups it enqueues to, so
 * that their owners pick the messages up, as with ingress.
 */
function commitAloneTo(store: Store): (batch: CommitBatch) => Promise<CommitResult> {
  if (!isClusterStore(store)) return (batch) => store.commit(batch);
  return (batch) => store.commitFenced(batch, { incarnation: '', leases: new Map() });
}

/** The dead letters the API lists, shows, replays and discards. */
function deadLettersOf(view: RuntimeView): DeadLetterBackend {
  return createDeadLetterBackend({
    store: view.store,
    commit: commitAloneTo(view.store),
    engine: () => engineWhile(view, ['RUNNING']),
    metrics: view.metrics(),
    now: () => view.options.clock.now(),
    keyGroups: view.options.keyGroups,
  });
}

/** The web console's routes (`/console`, `/v1/overview`, `/v1/flow`, …) and files. */
export function createConsoleOf(view: RuntimeView): { backend: ConsoleBackend; assets: ConsoleAssets } {
  const o = view.options;
  const engine = () => view.started()?.engine;
  const storeUrl = o.storeUrl;
  const backend = createConsoleBackend({
    store: view.store,
    metrics: view.metrics(),
    now: () => o.clock.now(),
    keyGroups: o.keyGroups,
    logEgresses: o.module.egresses.filter((e) => e.kind === 'log').map((e) => e.id),
    stalled: view.stalled,
    backlog: () => ({
      messages: new Map([...(engine()?.backlog.byType() ?? [])].map(([t, b]) => [t, b.messages])),
      stalled: engine()?.dispatcher.stalledByType() ?? new Map(),
    }),
    retryNow: (address) => engine()?.dispatcher.retryNow(address),
    moveToDeadLetters: (address) => engine()?.dispatcher.retryNow(address, 'dead-letter'),
    clusterStatus:
      storeUrl !== undefined && /^postgres(ql)?:/u.test(storeUrl)
        ? () => readClusterStatus(storeUrl, o.leaseMs)
        : undefined,
    ownedKeyGroups: () => engine()?.mode.ownedKeyGroups ?? 0,
    nodeId: o.nodeId,
    isServed: (type) => view.resolver.resolve(type) !== undefined,
  });
  return { backend, assets: new ConsoleAssets() };
}
