/**
 * How ingress connectors write into the engine: a batch of messages and the connector's positions commit in one
 * transaction (exactly-once ingestion), then the messages are delivered to their mailboxes, like HTTP ingress.
 */
import { keyGroupOf } from '../core/address.js';
import type { Committer } from '../engine/committer.js';
import type { Dispatcher } from '../engine/dispatcher.js';
import type { IdSource } from '../engine/id-allocator.js';
import { pendingFromStored } from '../engine/pending-message.js';
import { LEADER_KEY_GROUP } from '../engine/process-mode.js';
import { StatehouseError } from '../errors.js';
import type { StoredMessage } from '../store/store.js';
import type { TraceSpan, Tracing } from '../tracing/tracing.js';
import type { IngestBatch } from './connector.js';

/** The engine parts ingestion writes through (present once the runtime runs). */
export interface IngestEngine {
  readonly ids: IdSource;
  readonly committer: Committer;
  readonly dispatcher: Dispatcher;
  /** Whether this process serves the key group (single-process mode: every one), and leads the cluster. */
  readonly mode: { owns(keyGroup: number): boolean; isLeader(): boolean };
}

/** What ingestion needs from the runtime. */
export interface IngestDeps {
  /** The engine while the runtime is running; otherwise what the runtime is doing (e.g. `recovering`). */
  readonly engine: () => IngestEngine | string;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** The backlog count per function type (see `engine/backlog-monitor.ts`): messages about to commit. */
  readonly backlog: {
    added(type: string): void;
    enqueued(type: string): void;
    notEnqueued(type: string): void;
  };
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing?: Tracing | undefined;
}

/** The connector a batch comes from, as its ingress spans name it. */
function connectorOf(batch: IngestBatch): string {
  return batch.positions[0]?.connector ?? 'connector';
}

/**
 * Creates the ingest function connectors call.
 *
 * @param options.keyGroups - number of key groups of the deployment.
 */
export function createIngest(
  deps: IngestDeps,
  options: { readonly keyGroups: number },
): (batch: IngestBatch) => Promise<void> {
  return async (batch) => {
    const engine = deps.engine();
    if (typeof engine === 'string') {
      throw new StatehouseError(
        'ERR_CONNECTOR_NOT_RUNNING',
        `the runtime is ${engine}; the connector reads again from its last committed position once it runs`,
      );
    }
    const hasPositions = batch.positions.length > 0;
    if (hasPositions && !engine.mode.isLeader()) {
      throw new StatehouseError(
        'ERR_CONNECTOR_NOT_RUNNING',
        'this process no longer leads the cluster (key group 0 moved); the new leader reads on from the committed positions',
      );
    }
    const spans: TraceSpan[] | undefined = deps.tracing === undefined ? undefined : [];
    const messages = inboxMessages(batch, engine.ids, {
      ...options,
      now: deps.now(),
      tracing: deps.tracing,
      spans,
    });
    // Counted before the commit, so that a type's maxBacklog holds while batches are on their way.
    for (const m of messages) deps.backlog.added(m.target.type);
    try {
      await engine.committer.submitEffects({
        consumedMessages: [],
        firedTimers: [],
        messages,
        timerOps: [],
        stateWrites: [],
        egress: [],
        // Cluster mode: positions commit only under the leader's lease, so a process that lost the lead (and
        // with it the connectors) can never commit positions or the messages that go with them.
        fenceKeyGroups: hasPositions ? [LEADER_KEY_GROUP] : [],
        positions: batch.positions,
      });
    } catch (err) {
      for (const m of messages) deps.backlog.notEnqueued(m.target.type);
      if (spans !== undefined) for (const span of spans) span.fail(err);
      throw err;
    }
    if (spans !== undefined) for (const span of spans) span.end();
    for (const m of messages) {
      deps.backlog.enqueued(m.target.type);
      if (!engine.mode.owns(m.keyGroup)) continue; // the owner is woken by the store
      engine.dispatcher.deliver(pendingFromStored(m));
    }
  };
}

/** The inbox messages of a batch, each with its ingress span (pushed to `spans`) when tracing is on. */
function inboxMessages(
  batch: IngestBatch,
  ids: IdSource,
  o: {
    readonly keyGroups: number;
    readonly now: number;
    readonly tracing: Tracing | undefined;
    readonly spans: TraceSpan[] | undefined;
  },
): StoredMessage[] {
  return batch.messages.map((m) => {
    const seq = ids.nextSeq();
    const span = o.tracing?.startIngress(m.target, seq, connectorOf(batch));
    if (span !== undefined) o.spans?.push(span);
    return {
      seq,
      keyGroup: keyGroupOf(m.target, o.keyGroups),
      target: m.target,
      caller: undefined,
      argument: m.argument,
      enqueuedAt: o.now,
      traceparent: span?.traceparent,
    };
  });
}
