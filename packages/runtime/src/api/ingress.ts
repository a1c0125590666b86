/**
 * HTTP ingress into the engine: checks that the runtime can take the message, commits it (with its
 * idempotency key), delivers it to its mailbox when this process serves its key group, and maps every refusal
 * to the API's status and code.
 */
import { keyGroupOf, type FunctionAddress, type FunctionType } from '../core/address.js';
import type { IngestEngine } from '../connectors/ingest.js';
import { isStoreFull } from '../engine/committer.js';
import type { IdSource } from '../engine/id-allocator.js';
import { pendingFromStored } from '../engine/pending-message.js';
import { ApiError, StoreError } from '../errors.js';
import type { IngressResult, StoredMessage, StoredValue } from '../store/store.js';
import type { TraceSpan, Tracing } from '../tracing/tracing.js';
import { unknownFunctionType } from './runtime-backend.js';

/** The engine parts ingress writes through (present once the runtime runs): the same as connectors'. */
export type IngressEngine = IngestEngine;

/** What ingress needs from the runtime. */
export interface IngressDeps {
  /** The engine while the runtime is running; otherwise what the runtime is doing (e.g. `recovering`). */
  readonly engine: () => IngressEngine | string;
  /** Why the store's disk is full, while it is. */
  readonly storeFull: () => string | undefined;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** Whether an endpoint serves the function type. */
  readonly isServed: (type: FunctionType) => boolean;
  /** The function type's backlog limit (`maxBacklog` of its policy); `undefined` when it has none. */
  readonly backlogLimit: (type: FunctionType) => number | undefined;
  /** Pending messages of the function type (the durable backlog). */
  readonly backlogOf: (type: FunctionType) => number;
  /** A message for the function type is about to be committed: count it now (concurrent checks see it). */
  readonly onAccepted: (type: FunctionType) => void;
  /** A message counted by `onAccepted` was enqueued (its commit ended). */
  readonly onEnqueued: (type: FunctionType) => void;
  /** A message counted by `onAccepted` was not enqueued after all (refused, or a duplicate). */
  readonly onNotEnqueued: (type: FunctionType) => void;
  /** The seq of the message an idempotency key was claimed by, if any (a retry of an accepted message). */
  readonly ingressSeqOf: (idempotencyKey: string) => Promise<number | undefined>;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing?: Tracing | undefined;
}

/** Settings of ingress. */
export interface IngressOptions {
  readonly keyGroups: number;
}

/** Takes one ingress message: committed, then delivered. */
export type Ingress = (
  target: FunctionAddress,
  argument: StoredValue,
  idempotencyKey: string | undefined,
  traceparent?: string,
) => Promise<{ messageId: string }>;

/**
 * The key an `idempotency-key` is claimed under: the caller's key within the target's function type, so that a
 * caller allowed to send to some types only (a restricted API token) cannot claim, and so silently drop, the
 * messages of others to other types. Typenames hold no line breaks (they are refused), so the pair is unambiguous.
 */
export function scopedIdempotencyKey(functionType: string, key: string): string {
  return `${functionType}\n${key}`;
}

/** Creates the ingress of a runtime. */
export function createIngress(deps: IngressDeps, options: IngressOptions): Ingress {
  return async (target, argument, givenKey, traceparent) => {
    const idempotencyKey = givenKey === undefined ? undefined : scopedIdempotencyKey(target.type, givenKey);
    const engine = deps.engine();
    if (typeof engine === 'string') {
      throw new ApiError(503, 'ERR_API_NOT_READY', `the runtime is ${engine}; retry shortly`, {
        retryAfterSeconds: 1,
      });
    }
    const full = deps.storeFull();
    if (full !== undefined) throw storeFullError(full);
    if (!deps.isServed(target.type)) {
      throw unknownFunctionType(target.type);
    }
    const refusal = backlogRefusal(deps, target.type);
    if (refusal !== undefined) {
      // A retry of a message accepted before its type filled up is answered as the duplicate it is.
      const seq =
        idempotencyKey === undefined
          ? undefined
          : await deps.ingressSeqOf(idempotencyKey).catch(() => undefined);
      if (seq !== undefined) return { messageId: String(seq) };
      throw refusal;
    }
    const seq = nextSeq(engine.ids);
    const span: TraceSpan | undefined = deps.tracing?.startIngress(target, seq, 'http', traceparent);
    const message: StoredMessage = {
      seq,
      keyGroup: keyGroupOf(target, options.keyGroups),
      target,
      caller: undefined,
      argument,
      enqueuedAt: deps.now(),
      traceparent: span?.traceparent,
    };
    // Counted before the commit, so that concurrent requests cannot all pass a nearly full type's check.
    deps.onAccepted(target.type);
    let result: IngressResult;
    try {
      // Awaited here, not through a helper's `.catch` (one promise fewer for every message).
      result = await engine.committer.submitIngress({ message, idempotencyKey });
    } catch (err) {
      deps.onNotEnqueued(target.type);
      span?.fail(err);
      throw refusedCommitError(err);
    }
    span?.end();
    return afterCommit(deps, engine, message, result);
  };
}

/** After the commit: counts the message, and delivers it when this process serves its key group. */
function afterCommit(
  deps: IngressDeps,
  engine: IngressEngine,
  message: StoredMessage,
  result: IngressResult,
): { messageId: string } {
  if (result.duplicate) {
    deps.onNotEnqueued(message.target.type);
    return { messageId: String(result.seq) };
  }
  deps.onEnqueued(message.target.type);
  if (engine.mode.owns(message.keyGroup)) engine.dispatcher.deliver(pendingFromStored(message));
  return { messageId: String(result.seq) };
}

/** The refusal of a message for a function type whose backlog reached its limit (only that type: others flow). */
function backlogRefusal(deps: IngressDeps, type: FunctionType): ApiError | undefined {
  const limit = deps.backlogLimit(type);
  if (limit === undefined) return undefined;
  const backlog = deps.backlogOf(type);
  if (backlog < limit) return undefined;
  return new ApiError(
    503,
    'ERR_API_BACKLOG_FULL',
    `function type ${type} has ${backlog} pending messages, its maxBacklog is ${limit}; retry after a moment (its functions are slow or failing: see GET /v1/backlog and /v1/stalled)`,
    { retryAfterSeconds: 1 },
  );
}

function nextSeq(ids: IdSource): number {
  try {
    return ids.nextSeq();
  } catch (err) {
    // Cluster mode: the next block of ids is on its way from the database.
    throw new ApiError(503, 'ERR_API_RETRY', 'the runtime is reserving message ids; retry shortly', {
      retryAfterSeconds: 1,
      cause: err,
    });
  }
}

/** A refused commit of an ingress message, as the API answers it. */
function refusedCommitError(err: unknown): unknown {
  if (isStoreFull(err)) return storeFullError(err.message, err);
  if (err instanceof StoreError && (err.code === 'ERR_STORE_FENCED' || err.retryable)) {
    return new ApiError(
      503,
      'ERR_API_RETRY',
      `the message was not stored (${err.code}); retry, with the same idempotency-key`,
      { retryAfterSeconds: 1, cause: err },
    );
  }
  return err;
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
