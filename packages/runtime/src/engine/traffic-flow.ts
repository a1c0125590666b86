/**
 * The traffic of function types, learned from committed effects (the console's flow view and rates): per type
 * the invocations and the messages they consumed, and per edge the messages one type sent another (immediate
 * and delayed) and the records it appended to each egress; ingress messages count as edges from `ingress`.
 * Counters only grow, from the process start; readers take differences over time for rates. Only this
 * process's commits are counted (in cluster mode, each process counts its own).
 */
import type { EffectSet } from './effect-set.js';

/** The node messages from outside (HTTP ingress, connectors) come from. */
export const INGRESS_NODE = 'ingress';
/** Prefix of egress nodes: `egress:<namespace>/<name>`. */
export const EGRESS_NODE_PREFIX = 'egress:';

/** Counters of one function type. */
export interface TypeTraffic {
  /** Successful invocations whose effects committed. */
  readonly invocations: number;
  /** Messages those invocations consumed. */
  readonly messages: number;
}

/** A copy of the counters at one moment. */
export interface TrafficCounts {
  readonly types: ReadonlyMap<string, TypeTraffic>;
  /** Per edge `from → to` (function types, {@link INGRESS_NODE} or egress nodes), the messages or records. */
  readonly edges: ReadonlyMap<string, { readonly from: string; readonly to: string; readonly count: number }>;
}

interface MutableType {
  invocations: number;
  messages: number;
}

/** Counts committed traffic per function type and per edge. */
export class TrafficFlow {
  readonly #types = new Map<string, MutableType>();
  readonly #edges = new Map<string, { readonly from: string; readonly to: string; count: number }>();

  /** Counts the committed effects of one invocation (effect sets without an address, timer firings, are skipped). */
  recordCommitted(effects: EffectSet): void {
    const from = effects.address?.type;
    if (from === undefined) return;
    let t = this.#types.get(from);
    if (t === undefined) this.#types.set(from, (t = { invocations: 0, messages: 0 }));
    t.invocations += 1;
    t.messages += effects.consumedMessages.length;
    for (const m of effects.messages) this.#addEdge(from, m.target.type, 1);
    for (const op of effects.timerOps) if ('add' in op) this.#addEdge(from, op.add.target.type, 1);
    for (const e of effects.egress) this.#addEdge(from, EGRESS_NODE_PREFIX + e.egressId, 1);
  }

  /** Counts messages that entered through an ingress (HTTP or a connector) for a function type. */
  recordIngress(functionType: string, count = 1): void {
    this.#addEdge(INGRESS_NODE, functionType, count);
  }

  /** A copy of the counters now. */
  counts(): TrafficCounts {
    return {
      types: new Map([...this.#types].map(([k, v]) => [k, { ...v }])),
      edges: new Map([...this.#edges].map(([k, v]) => [k, { ...v }])),
    };
  }

  #addEdge(from: string, to: string, count: number): void {
    const key = `${from}\u0000${to}`;
    const edge = this.#edges.get(key);
    if (edge === undefined) this.#edges.set(key, { from, to, count });
    else edge.count += count;
  }
}
