/**
 * The runtime behind the HTTP API: reads of log egresses (with long polls and the retention boundary), of
 * committed state, of stalled addresses and the backlog, readiness and metrics. Ingress is `ingress.ts`.
 */
import type { ConnectorStatus } from '../connectors/connector.js';
import type { EgressShippingStatus } from '../egress/egress-shipper.js';

/** An ingress connector as `GET /v1/connectors` lists it. */
export type IngressConnectorEntry = { readonly direction: 'ingress' } & ConnectorStatus;

/** A shipped egress (webhook or connector) as `GET /v1/connectors` lists it, with its module.yaml kind. */
export type EgressConnectorEntry = {
  readonly direction: 'egress';
  readonly kind: string;
} & EgressShippingStatus;
import type { FunctionAddress } from '../core/address.js';
import { toApiValue, type ApiValue } from '../core/value-json.js';
import type { StallInfo } from '../engine/dispatcher.js';
import type { RuntimeMetrics } from '../engine/metrics.js';
import type { EgressWaiters } from '../egress/egress-waiters.js';
import { ApiError } from '../errors.js';
import type { Engine } from '../runtime-engine.js';
import type { RuntimeState } from '../runtime-state.js';
import type { Store } from '../store/store.js';
import type { ApiBackend } from './http-server.js';
import type { Ingress } from './ingress.js';

/** The backlog of one function type, as the runtime reports it. */
export interface BacklogEntry {
  readonly functionType: string;
  /** Pending messages in the store. */
  readonly messages: number;
  /** Epoch milliseconds of the oldest pending message. */
  readonly oldestEnqueuedAt: number;
  /** Messages of the type held in memory (waiting or in flight). */
  readonly inMemory: number;
  readonly stalledAddresses: number;
}

/** What the backlog is counted from: the engine's durable backlog per type and its dispatcher's memory. */
export type BacklogSource = Pick<Engine, 'backlog' | 'dispatcher'>;

/** What readiness is judged from. */
export interface ReadinessFacts {
  readonly state: RuntimeState;
  /** `false` while a cluster process's heartbeats to PostgreSQL fail; `true` before start and in one process. */
  readonly isStoreReachable: boolean;
  /** Why the store's disk is full, or `undefined` when it is not. */
  readonly storeFull: string | undefined;
}

/** What the API reads from. */
export interface RuntimeBackendDeps {
  readonly store: Store;
  readonly metrics: RuntimeMetrics;
  readonly egressWaiters: EgressWaiters;
  /** Ids of the configured log egresses (the ones the API serves). */
  readonly logEgresses: ReadonlySet<string>;
  readonly ingress: Ingress;
  readonly stalled: () => readonly StallInfo[];
  /** The backlog per function type (counted now), with what is in memory and stalled; empty before start. */
  readonly backlog: () => Promise<readonly BacklogEntry[]>;
  readonly readiness: () => ReadinessFacts;
  readonly now: () => number;
  /** The ingress connectors' and shipped egresses' status; empty before start and without either. */
  readonly connectors: () => Promise<readonly (IngressConnectorEntry | EgressConnectorEntry)[]>;
  /** Takes a snapshot of the store to a location. */
  readonly snapshot: (to: string) => Promise<unknown>;
  /** Exports the committed state of a function type (or all) as JSON lines. */
  readonly exportState: ApiBackend['exportState'];
  /** The dead letters (`/v1/dead-letters`). */
  readonly deadLetters: ApiBackend['deadLetters'];
  /** Whether module.yaml binds a function type (an address of another type without state is a typo). */
  readonly isServed: (type: string) => boolean;
}

/** Creates the API backend of a runtime. */
export function createRuntimeBackend(deps: RuntimeBackendDeps): ApiBackend {
  return {
    ingress: deps.ingress,
    readEgress: (egressId, from, limit, waitMs) => readEgress(deps, egressId, from, limit, waitMs),
    readState: (address) => readState(deps, address),
    stalled: ({ limit, functionType }) => {
      const all = deps.stalled().filter((s) => functionType === undefined || s.address.type === functionType);
      const stalled = all.slice(0, limit).map((s) => ({
        functionType: s.address.type,
        id: s.address.id,
        since: new Date(s.since).toISOString(),
        attempts: s.attempts,
        batchSize: s.batchSize,
        lastError: s.lastError,
      }));
      return { stalled, total: all.length };
    },
    backlog: async () =>
      (await deps.backlog()).map((b) => ({
        functionType: b.functionType,
        messages: b.messages,
        oldestAgeSeconds: Math.max(0, Math.round((deps.now() - b.oldestEnqueuedAt) / 1000)),
        inMemory: b.inMemory,
        stalledAddresses: b.stalledAddresses,
      })),
    connectors: async () => [...(await deps.connectors())],
    snapshot: deps.snapshot,
    exportState: deps.exportState,
    deadLetters: deps.deadLetters,
    notReady: () => notReadyReason(deps.readiness()),
    countIngress: (status) => deps.metrics.ingressRequests.inc(String(status)),
    metrics: async () => ({
      contentType: deps.metrics.registry.contentType,
      body: await deps.metrics.registry.metrics(),
    }),
  };
}

/**
 * The backlog per function type, counted now: pending messages in the store (cluster mode: of the key groups
 * this process owns) and the oldest one's age, with what is held in memory and stalled. Largest first.
 *
 * @param engine - the engine, or `undefined` before start (then the backlog is empty).
 * @param now - the clock: a type with messages in memory only reports its oldest as enqueued now.
 */
export async function countBacklog(
  engine: BacklogSource | undefined,
  now: () => number,
): Promise<BacklogEntry[]> {
  if (engine === undefined) return [];
  await engine.backlog.refresh();
  const durable = engine.backlog.byType();
  const inMemory = engine.dispatcher.backlogByType();
  const stalled = engine.dispatcher.stalledByType();
  const types = new Set([...durable.keys(), ...inMemory.keys()]);
  return [...types]
    .map((functionType) => {
      const stored = durable.get(functionType);
      return {
        functionType,
        messages: stored?.messages ?? 0,
        oldestEnqueuedAt: stored?.oldestEnqueuedAt ?? now(),
        inMemory: inMemory.get(functionType) ?? 0,
        stalledAddresses: stalled.get(functionType) ?? 0,
      };
    })
    .sort((a, b) => b.messages - a.messages || a.functionType.localeCompare(b.functionType));
}

/**
 * Why the runtime does not serve now (`status` names the condition, as `GET /readyz` answers it), or
 * `undefined` when it does.
 */
export function notReadyReason({
  state,
  isStoreReachable,
  storeFull,
}: ReadinessFacts): { readonly status: string; readonly reason: string } | undefined {
  const status = state.toLowerCase();
  if (state !== 'RUNNING' && state !== 'RECOVERING') return { status, reason: `the runtime is ${status}` };
  // In cluster mode, not ready while the database is out of reach (heartbeats failing).
  if (!isStoreReachable) {
    return {
      status: 'store-unreachable',
      reason:
        'no recent heartbeat to the PostgreSQL store (unreachable, or this process was paused); retrying',
    };
  }
  if (storeFull !== undefined) return { status: 'store-full', reason: storeFull };
  return state === 'RUNNING' ? undefined : { status, reason: `the runtime is ${status}` };
}

async function readEgress(
  deps: RuntimeBackendDeps,
  egressId: string,
  from: number,
  limit: number,
  waitMs: number,
): Promise<{ records: unknown[]; next: number }> {
  if (!deps.logEgresses.has(egressId)) {
    throw new ApiError(
      404,
      'ERR_API_UNKNOWN_EGRESS',
      `no log egress ${egressId} is configured (kind io.statehouse.egress.v1/log)`,
    );
  }
  if (from < 0) {
    const range = await deps.store.readEgressRange(egressId);
    from = Math.max(range.firstOffset, range.nextOffset + from);
  }
  // Wait from before the first read: a commit between that read and the wait would otherwise be missed.
  const waiting = waitMs > 0 ? deps.egressWaiters.subscribe(egressId, waitMs) : undefined;
  let rows;
  try {
    rows = await deps.store.readEgress(egressId, from, limit);
    if (rows.length === 0 && waiting !== undefined) {
      await waiting.done;
      rows = await deps.store.readEgress(egressId, from, limit);
    }
  } finally {
    waiting?.cancel();
  }
  if (rows[0]?.offset !== from) {
    // Records below the retained range are gone: say so, never answer with silently fewer records.
    const range = await deps.store.readEgressRange(egressId);
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
}

async function readState(
  deps: RuntimeBackendDeps,
  address: FunctionAddress,
): Promise<Record<string, ApiValue> | undefined> {
  const now = deps.now();
  const rows = (await deps.store.readState(address)).filter(
    (r) => r.expiresAt === undefined || r.expiresAt > now,
  );
  if (rows.length === 0) {
    if (!deps.isServed(address.type)) throw unknownFunctionType(address.type);
    return undefined;
  }
  const values: Record<string, ApiValue> = {};
  for (const r of rows) values[r.name] = toApiValue(r);
  return values;
}

/** 404 for a function type no endpoint serves (a state read of such a type, without state, is a typo). */
export function unknownFunctionType(type: string): ApiError {
  return new ApiError(
    404,
    'ERR_API_UNKNOWN_FUNCTION_TYPE',
    `no endpoint in module.yaml serves function type ${type}`,
  );
}
