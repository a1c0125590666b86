/**
 * The dead letters behind the HTTP API: list, show, replay and discard. A replay inserts the dead letter's
 * messages into the inbox again (new message ids, in their original order) and deletes the dead letter in the
 * same transaction; a second replay (or a discard) of it finds nothing and changes nothing, so the messages are
 * delivered once however often the request is repeated. The commit wakes the owner of the address like an
 * ingress message does (cluster mode: any process may replay; the owner picks the messages up).
 */
import { keyGroupOf } from '../core/address.js';
import { toApiValue, type ApiValue } from '../core/value-json.js';
import { lastErrorOfReason } from '../engine/dead-lettering.js';
import type { RuntimeMetrics } from '../engine/metrics.js';
import { pendingFromStored } from '../engine/pending-message.js';
import { ApiError, StoreError } from '../errors.js';
import type { IngestEngine } from '../connectors/ingest.js';
import type { CallFailure } from '../invoke/retrying-call.js';
import {
  EMPTY_COMMIT_BATCH,
  type CommitBatch,
  type CommitResult,
  type DeadLetter,
  type Store,
  type StoredMessage,
} from '../store/store.js';

/** A dead letter as `GET /v1/dead-letters` lists it. */
export interface DeadLetterSummary {
  readonly deadLetterId: number;
  readonly functionType: string;
  readonly id: string;
  /** When it was dead-lettered, ISO 8601. */
  readonly createdAt: string;
  /** Messages in the batch. */
  readonly batchSize: number;
  /** Why: the last error (and the attempts), as stored. */
  readonly reason: string;
  /** The last error's code and message, when the reason names them. */
  readonly lastError: CallFailure | undefined;
}

/** One message of a dead letter, as `GET /v1/dead-letters/{id}` shows it. */
export type DeadLetterMessage = {
  readonly caller: string | undefined;
} & ApiValue;

/** What the API serves about dead letters. */
export interface DeadLetterBackend {
  /** The oldest `limit` dead letters, and whether there are more. */
  list(limit: number): Promise<{ deadLetters: DeadLetterSummary[]; truncated: boolean }>;
  /** One dead letter with its messages. @throws {@link ApiError} 404 when there is none. */
  show(id: number): Promise<DeadLetterSummary & { messages: DeadLetterMessage[] }>;
  /** Puts its messages back into the inbox, once. @throws {@link ApiError} 404 when there is none (any more). */
  replay(id: number): Promise<{ deadLetterId: number; messageIds: string[] }>;
  /** Deletes it. @throws {@link ApiError} 404 when there is none (any more). */
  discard(id: number): Promise<{ deadLetterId: number }>;
}

/** The engine parts a replay writes through (present once the runtime runs). */
export type DeadLetterEngine = Pick<IngestEngine, 'ids' | 'dispatcher' | 'mode'> & {
  readonly backlog: {
    added(type: string): void;
    enqueued(type: string): void;
    notEnqueued(type: string): void;
  };
};

/** What the dead-letter API needs. */
export interface DeadLetterBackendDeps {
  readonly store: Store;
  /** Commits a batch on its own (cluster mode: announced to the owners of the key groups it enqueues to). */
  readonly commit: (batch: CommitBatch) => Promise<CommitResult>;
  /** The engine while the runtime is running; otherwise what the runtime is doing. */
  readonly engine: () => DeadLetterEngine | string;
  readonly metrics: RuntimeMetrics;
  readonly now: () => number;
  readonly keyGroups: number;
}

/** Creates the dead-letter backend. */
export function createDeadLetterBackend(deps: DeadLetterBackendDeps): DeadLetterBackend {
  return {
    list: async (limit) => {
      const letters = await deps.store.listDeadLetters(limit + 1);
      return { deadLetters: letters.slice(0, limit).map(summaryOf), truncated: letters.length > limit };
    },
    show: async (id) => {
      const letter = await read(deps, id);
      return {
        ...summaryOf(letter),
        messages: letter.messages.map((m) => ({
          caller: m.caller === undefined ? undefined : `${m.caller.type}/${m.caller.id}`,
          ...toApiValue(m.argument),
        })),
      };
    },
    replay: (id) => replay(deps, id),
    discard: async (id) => {
      await commitRemoval(deps, id, { ...EMPTY_COMMIT_BATCH, removedDeadLetters: [id] });
      deps.metrics.deadLetterActions.inc({ action: 'discard' });
      return { deadLetterId: id };
    },
  };
}

async function replay(
  deps: DeadLetterBackendDeps,
  id: number,
): Promise<{ deadLetterId: number; messageIds: string[] }> {
  const engine = deps.engine();
  if (typeof engine === 'string') {
    throw new ApiError(503, 'ERR_API_NOT_READY', `the runtime is ${engine}; retry shortly`, {
      retryAfterSeconds: 1,
    });
  }
  const letter = await read(deps, id);
  const now = deps.now();
  let messages: StoredMessage[];
  try {
    messages = letter.messages.map((m) => ({
      ...m,
      seq: engine.ids.nextSeq(),
      keyGroup: keyGroupOf(m.target, deps.keyGroups),
      enqueuedAt: now,
    }));
  } catch (err) {
    // Cluster mode: the next block of ids is on its way from the database.
    throw new ApiError(503, 'ERR_API_RETRY', 'the runtime is reserving message ids; retry shortly', {
      retryAfterSeconds: 1,
      cause: err,
    });
  }
  for (const m of messages) engine.backlog.added(m.target.type);
  try {
    await commitRemoval(deps, id, { ...EMPTY_COMMIT_BATCH, messages, removedDeadLetters: [id] });
  } catch (err) {
    for (const m of messages) engine.backlog.notEnqueued(m.target.type);
    throw err;
  }
  for (const m of messages) {
    engine.backlog.enqueued(m.target.type);
    // Committed into the inbox in their order; the owner (this process or another) delivers them in seq order.
    if (engine.mode.owns(m.keyGroup)) engine.dispatcher.deliver(pendingFromStored(m));
  }
  deps.metrics.deadLetterActions.inc({ action: 'replay' });
  return { deadLetterId: id, messageIds: messages.map((m) => String(m.seq)) };
}

async function read(deps: DeadLetterBackendDeps, id: number): Promise<DeadLetter> {
  const letter = await deps.store.readDeadLetter(id);
  if (letter === undefined) throw unknownDeadLetter(id);
  return letter;
}

/** Commits a batch that removes dead letter `id`; one that is gone already answers 404. */
async function commitRemoval(deps: DeadLetterBackendDeps, id: number, batch: CommitBatch): Promise<void> {
  try {
    await deps.commit(batch);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'ERR_STORE_DEAD_LETTER_GONE')
      throw unknownDeadLetter(id, err);
    throw err;
  }
}

function unknownDeadLetter(id: number, cause?: unknown): ApiError {
  return new ApiError(
    404,
    'ERR_API_UNKNOWN_DEAD_LETTER',
    `no dead letter ${id} (replayed or discarded already, or never there); list them with GET /v1/dead-letters`,
    cause === undefined ? {} : { cause },
  );
}

function summaryOf(letter: DeadLetter): DeadLetterSummary {
  return {
    deadLetterId: letter.id,
    functionType: letter.address.type,
    id: letter.address.id,
    createdAt: new Date(letter.createdAt).toISOString(),
    batchSize: letter.messages.length,
    reason: letter.reason,
    lastError: lastErrorOfReason(letter.reason),
  };
}
