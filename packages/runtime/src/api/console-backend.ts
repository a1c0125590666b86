/**
 * What the web console reads beyond the core API (docs/runtime.md section 4, "Console API"): per-type rates and
 * latency quantiles, the flow graph learned from committed traffic, one address in full (state with TTL,
 * pending messages, timers), the cluster's members and key groups, and "retry now" for a stalled address.
 */
import { keyGroupOf, type FunctionAddress } from '../core/address.js';
import { toApiValue } from '../core/value-json.js';
import type { StallInfo } from '../engine/dispatcher.js';
import type { RuntimeMetrics } from '../engine/metrics.js';
import { EGRESS_NODE_PREFIX, INGRESS_NODE } from '../engine/traffic-flow.js';
import type { Store } from '../store/store.js';
import { ConsoleStats } from './console-stats.js';
import { unknownFunctionType } from './runtime-backend.js';

/** Pending messages of one address the console lists at most. */
const MAX_ADDRESS_MESSAGES = 100;

/** What the console's routes answer; implemented by the runtime. */
export interface ConsoleBackend {
  /** Function types with rates, latency, backlog and stalled count, and their series. */
  overview(): Promise<unknown>;
  /** Nodes (ingress, function types, egresses) and edges with totals and rates. */
  flow(): Promise<unknown>;
  /** An address in full (one without state, messages or timers answers empty lists). */
  address(address: FunctionAddress): Promise<unknown>;
  /** Cluster mode, members and key groups. */
  cluster(): Promise<unknown>;
  /** The log egresses, connectors and what the runtime can do (capabilities). */
  info(): unknown;
  /** Retries a stalled address now; `undefined` when it is not stalled here. */
  retryNow(address: FunctionAddress): 'retrying' | 'attempting' | undefined;
  /** Moves a stalled address's failing batch to the dead letters at its next turn; `undefined`: not stalled here. */
  moveToDeadLetters(address: FunctionAddress): 'retrying' | 'attempting' | undefined;
}

/** What the console backend reads from. */
export interface ConsoleBackendDeps {
  readonly store: Store;
  readonly metrics: RuntimeMetrics;
  readonly now: () => number;
  readonly keyGroups: number;
  readonly logEgresses: readonly string[];
  readonly stalled: () => readonly StallInfo[];
  /** Pending messages per function type as last counted (no store read), and stalled addresses per type. */
  readonly backlog: () => { messages: ReadonlyMap<string, number>; stalled: ReadonlyMap<string, number> };
  readonly retryNow: (address: FunctionAddress) => 'retrying' | 'attempting' | undefined;
  readonly moveToDeadLetters: (address: FunctionAddress) => 'retrying' | 'attempting' | undefined;
  /** Cluster mode: members and key groups (reads the database); single process: `undefined`. */
  readonly clusterStatus: (() => Promise<unknown>) | undefined;
  /** Key groups this process owns now. */
  readonly ownedKeyGroups: () => number;
  readonly nodeId: string;
  /** Whether module.yaml binds a function type. */
  readonly isServed: (type: string) => boolean;
}

/** Creates the console backend of a runtime. */
export function createConsoleBackend(deps: ConsoleBackendDeps): ConsoleBackend {
  const stats = new ConsoleStats({
    flow: deps.metrics.flow,
    latency: deps.metrics.invocationLatency,
    now: deps.now,
  });
  return {
    overview: async () => {
      const types = await stats.types();
      const { messages, stalled } = deps.backlog();
      const names = new Set([...types.keys(), ...messages.keys(), ...stalled.keys()]);
      return {
        at: new Date(deps.now()).toISOString(),
        types: [...names].sort().map((functionType) => {
          const t = types.get(functionType);
          const series = t?.series ?? [];
          const last = series[series.length - 1];
          return {
            functionType,
            messagesPerSecond: last?.messagesPerSecond ?? 0,
            invocationsPerSecond: last?.invocationsPerSecond ?? 0,
            p50Ms: last?.p50Ms ?? null,
            p99Ms: last?.p99Ms ?? null,
            messages: t?.totals.messages ?? 0,
            invocations: t?.totals.invocations ?? 0,
            backlog: messages.get(functionType) ?? 0,
            stalled: stalled.get(functionType) ?? 0,
            series: series.slice(-60),
          };
        }),
      };
    },
    flow: async () => {
      const edges = (await stats.edges()).sort(
        (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
      );
      const ids = new Set(edges.flatMap((e) => [e.from, e.to]));
      const kindOf = (id: string): string =>
        id === INGRESS_NODE ? 'ingress' : id.startsWith(EGRESS_NODE_PREFIX) ? 'egress' : 'function';
      return { nodes: [...ids].sort().map((id) => ({ id, kind: kindOf(id) })), edges };
    },
    address: (address) => readAddress(deps, address),
    cluster: async () => ({
      mode: deps.clusterStatus === undefined ? 'single-process' : 'cluster',
      nodeId: deps.nodeId,
      keyGroups: deps.keyGroups,
      ownedKeyGroups: deps.ownedKeyGroups(),
      ...(deps.clusterStatus === undefined ? {} : { status: await deps.clusterStatus() }),
    }),
    info: () => ({
      logEgresses: deps.logEgresses,
      capabilities: { retryNow: true, deadLetters: true },
    }),
    retryNow: deps.retryNow,
    moveToDeadLetters: deps.moveToDeadLetters,
  };
}

async function readAddress(deps: ConsoleBackendDeps, address: FunctionAddress): Promise<unknown> {
  const now = deps.now();
  const keyGroup = keyGroupOf(address, deps.keyGroups);
  const [rows, inbox, timers] = await Promise.all([
    deps.store.readState(address),
    deps.store.loadAddressInbox(address, MAX_ADDRESS_MESSAGES + 1),
    deps.store.loadTimers([keyGroup]),
  ]);
  const stall = deps.stalled().find((s) => s.address.type === address.type && s.address.id === address.id);
  if (rows.length === 0 && inbox.length === 0 && !deps.isServed(address.type))
    throw unknownFunctionType(address.type);
  return {
    address: { functionType: address.type, id: address.id },
    keyGroup,
    state: rows
      .filter((r) => r.expiresAt === undefined || r.expiresAt > now)
      .map((r) => ({
        name: r.name,
        ...toApiValue(r),
        expiresAt: r.expiresAt === undefined ? null : new Date(r.expiresAt).toISOString(),
      })),
    pending: inbox.slice(0, MAX_ADDRESS_MESSAGES).map((m) => ({
      seq: m.seq,
      caller: m.caller === undefined ? null : `${m.caller.type}/${m.caller.id}`,
      enqueuedAt: new Date(m.enqueuedAt).toISOString(),
      ...toApiValue(m.argument),
    })),
    pendingTruncated: inbox.length > MAX_ADDRESS_MESSAGES,
    timers: timers
      .filter((t) => t.target.type === address.type && t.target.id === address.id)
      .map((t) => ({
        id: t.id,
        fireAt: new Date(t.fireAt).toISOString(),
        sender: `${t.sender.type}/${t.sender.id}`,
        token: t.token ?? null,
        ...toApiValue(t.argument),
      })),
    stalled:
      stall === undefined
        ? null
        : {
            since: new Date(stall.since).toISOString(),
            attempts: stall.attempts,
            lastError: stall.lastError,
          },
  };
}
