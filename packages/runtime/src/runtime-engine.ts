/**
 * Builds the engine of a runtime once its store is open: id source, committer, timers, dispatcher, and the
 * process mode the store calls for (a single process on SQLite, a cluster member on PostgreSQL).
 */
import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import { BlockIdAllocator } from './cluster/block-id-allocator.js';
import { ClusterMode } from './cluster/cluster-mode.js';
import { BacklogMonitor } from './engine/backlog-monitor.js';
import { Committer, type CommitFencing, type CommitterHooks } from './engine/committer.js';
import { Dispatcher } from './engine/dispatcher.js';
import { IdAllocator, type IdSource } from './engine/id-allocator.js';
import type { RuntimeMetrics } from './engine/metrics.js';
import type { MemoryBudgetOptions } from './engine/memory-budget.js';
import type { ProcessMode } from './engine/process-mode.js';
import { SingleProcessMode } from './engine/single-process-mode.js';
import type { SpecRegistry } from './engine/spec-registry.js';
import type { StateCache } from './engine/state-cache.js';
import { TimerService } from './engine/timer-service.js';
import type { StoreError } from './errors.js';
import type { FunctionClient } from './invoke/function-client.js';
import type { EndpointResolver } from './invoke/resolved-endpoint.js';
import type { BackoffOptions } from './invoke/retry-policy.js';
import type { DeadLetterLimits } from './invoke/retrying-call.js';
import { isClusterStore, type ClusterStore } from './store/cluster-store.js';
import type { Store, StoredValue } from './store/store.js';
import type { Tracing } from './tracing/tracing.js';

/** The engine of a running runtime, built once. */
export interface Engine {
  readonly ids: IdSource;
  readonly committer: Committer;
  readonly timers: TimerService;
  readonly dispatcher: Dispatcher;
  readonly mode: ProcessMode;
  /** The durable backlog per function type. */
  readonly backlog: BacklogMonitor;
}

/** What the engine is built from. */
export interface EngineDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: RuntimeMetrics;
  readonly cache: StateCache;
  readonly specs: SpecRegistry;
  readonly client: FunctionClient;
  readonly resolver: EndpointResolver;
  /** Whether an egress with this id is configured. */
  readonly hasEgress: (id: string) => boolean;
  /** Why a record cannot go to an egress (connector egresses check their record type). */
  readonly egressRecordProblem?: ((id: string, value: StoredValue) => string | undefined) | undefined;
  /** Egress ids that got committed records (of this process, or of any process in a cluster). */
  readonly onEgress: (egressIds: Iterable<string>) => void;
  /**
   * Cluster mode: this process hands the lead over (it is no longer the leader); resolves once the leader's jobs
   * that must not overlap with the next leader's (egress shipping) have finished what they were doing.
   */
  readonly onReleasingLead: () => Promise<void>;
  /** A failure the runtime cannot recover from in place: it stops. */
  readonly onFatal: (err: unknown) => void;
  /** Whether the runtime still serves (recovering or running). */
  readonly isServing: () => boolean;
  /** The store's disk is full (the engine drops its uncommitted work itself). */
  readonly onStoreFull: (err: StoreError) => void;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing: Tracing | undefined;
  /** The dead-letter limits of a function type's policy; `undefined`: its batches stall, never dropped. */
  readonly deadLetterPolicy?: ((type: string) => DeadLetterLimits | undefined) | undefined;
}

/** Settings of the engine. */
export interface EngineOptions {
  readonly keyGroups: number;
  readonly maxInFlightInvocations: number;
  readonly backoff: BackoffOptions;
  /** Messages and bytes held in memory at most; the backlog beyond waits in the store. */
  readonly memory: MemoryBudgetOptions;
  /** Messages of one address held in memory at most. */
  readonly windowMessages: number;
  /** Cluster mode: this process's identity and lease timing. */
  readonly cluster: {
    readonly nodeId: string;
    readonly advertise: string;
    readonly leaseMs: number;
    readonly heartbeatMs: number;
  };
}

/** Builds the engine for the store's kind. */
export async function buildEngine(deps: EngineDeps, options: EngineOptions): Promise<Engine> {
  const { store } = deps;
  if (!isClusterStore(store)) {
    const ids = new IdAllocator(await store.loadCounters());
    return assembleEngine(deps, options, { ids, fencing: undefined }, (parts) => {
      const engine = { ...parts, cache: deps.cache };
      const { log, onFatal, isServing } = deps;
      return new SingleProcessMode(
        { store, engine, ids, log, onFatal, isServing },
        { keyGroups: options.keyGroups },
      );
    });
  }
  const ids = new BlockIdAllocator({ store });
  await ids.rotate();
  let clusterMode: ClusterMode | undefined;
  const fencing: CommitFencing = {
    store,
    incarnation: () => clusterMode?.coordinator.incarnation ?? '',
    epochOf: (kg) => clusterMode?.coordinator.epochOf(kg),
  };
  return assembleEngine(deps, options, { ids, fencing }, (parts) => {
    clusterMode = createClusterMode(deps, options, { ...parts, store, ids });
    return clusterMode;
  });
}

/** The parts every process mode drives. */
interface EngineParts {
  readonly committer: Committer;
  readonly timers: TimerService;
  readonly dispatcher: Dispatcher;
}

/**
 * Builds the parts both modes share (committer, timers, dispatcher, backlog monitor), then the mode over them.
 * The mode is built last (it drives the other parts); the parts reach it only once the engine runs.
 */
function assembleEngine(
  deps: EngineDeps,
  options: EngineOptions,
  base: { readonly ids: IdSource; readonly fencing: CommitFencing | undefined },
  buildMode: (parts: EngineParts) => ProcessMode,
): Engine {
  const { ids } = base;
  // The hooks, timers and dispatcher reach `dispatcher` and `mode`, declared below, only once the engine runs.
  const modeNow = (): ProcessMode => mode;
  const hooks: CommitterHooks = {
    onFatal: deps.onFatal,
    onVoided: (err) => modeNow().voided(err),
    onRefused: (address, err) => {
      deps.metrics.refusedEffectSets.inc({ reason: err.code });
      if (address !== undefined) dispatcher.quarantine(address, err);
    },
    onStoreFull: (err) => {
      deps.onStoreFull(err);
      modeNow().storeFull(err);
    },
  };
  const observer = {
    onCommit: (c: { durationMs: number; effectSets: number; ingress: number }): void => {
      deps.metrics.commitLatency.observe(c.durationMs / 1000);
      deps.metrics.commitEffectSets.observe(c.effectSets + c.ingress);
    },
  };
  const log = deps.log.child({ component: 'committer' });
  const committer = new Committer({ store: deps.store, log, hooks, observer }, { fencing: base.fencing });
  const timers = new TimerService({ sink: (t) => dispatcher.fireTimer(t), clock: deps.clock });
  const dispatcher = createDispatcher(deps, options, { ids, committer, timers, mode: modeNow });
  const mode = buildMode({ committer, timers, dispatcher });
  return { ids, committer, timers, dispatcher, mode, backlog: createBacklogMonitor(deps, modeNow) };
}

/** Shortest time between two counts of the backlog, ms. */
const BACKLOG_READ_INTERVAL_MS = 2_000;

function createBacklogMonitor(deps: EngineDeps, mode: () => ProcessMode): BacklogMonitor {
  return new BacklogMonitor(
    {
      store: deps.store,
      clock: deps.clock,
      log: deps.log.child({ component: 'backlog' }),
      keyGroupFilter: () => mode().keyGroupFilter(),
    },
    { minIntervalMs: BACKLOG_READ_INTERVAL_MS },
  );
}

function createDispatcher(
  deps: EngineDeps,
  options: EngineOptions,
  parts: { ids: IdSource; committer: Committer; timers: TimerService; mode: () => ProcessMode },
): Dispatcher {
  const { mode } = parts;
  return new Dispatcher(
    {
      log: deps.log,
      clock: deps.clock,
      committer: parts.committer,
      cache: deps.cache,
      specs: deps.specs,
      timers: parts.timers,
      resolver: deps.resolver,
      client: deps.client,
      metrics: deps.metrics,
      ids: parts.ids,
      hasEgress: deps.hasEgress,
      egressRecordProblem: deps.egressRecordProblem,
      onEgress: (records) => deps.onEgress(new Set(records.map((r) => r.egressId))),
      owns: (kg) => mode().owns(kg),
      tracing: deps.tracing,
      deadLetterPolicy: deps.deadLetterPolicy,
      inbox: {
        page: (afterSeq, limit) => deps.store.loadInboxPage(afterSeq, limit, mode().keyGroupFilter()),
        ofAddress: (address, limit) => deps.store.loadAddressInbox(address, limit),
      },
    },
    {
      keyGroups: options.keyGroups,
      maxInFlightInvocations: options.maxInFlightInvocations,
      backoff: options.backoff,
      memory: options.memory,
      windowMessages: options.windowMessages,
    },
  );
}

function createClusterMode(
  deps: EngineDeps,
  options: EngineOptions,
  parts: {
    store: ClusterStore;
    ids: BlockIdAllocator;
    committer: Committer;
    timers: TimerService;
    dispatcher: Dispatcher;
  },
): ClusterMode {
  return new ClusterMode(
    {
      ...parts,
      cache: deps.cache,
      metrics: deps.metrics,
      log: deps.log,
      clock: deps.clock,
      // Records committed by other processes wake this process's long polls and webhook shipper too.
      onEgressAnnounced: (egressIds) => deps.onEgress(egressIds),
      onReleasingLead: deps.onReleasingLead,
    },
    { ...options.cluster, keyGroups: options.keyGroups },
  );
}
