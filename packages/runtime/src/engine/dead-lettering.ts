/**
 * Moves a batch that reached its function type's dead-letter limits out of the way, so that its address carries
 * on with its next messages: one commit consumes the batch's messages from the inbox and inserts them, with the
 * last error, as one dead letter (fenced like any effects of the address in cluster mode). The address's state
 * is not touched. Until that commit is durable the batch stays in the store, so a crash in between retries it.
 */
import type { Logger } from 'pino';
import { formatAddress, type FunctionAddress } from '../core/address.js';
import type { Clock } from '../core/clock.js';
import type { CallFailure } from '../invoke/retrying-call.js';
import type { StoredMessage } from '../store/store.js';
import type { Committer } from './committer.js';
import type { EffectSet } from './effect-set.js';
import type { RuntimeMetrics } from './metrics.js';
import type { PendingMessage } from './pending-message.js';

/** Collaborators of dead-lettering. */
export interface DeadLetteringDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly committer: Committer;
  readonly metrics: RuntimeMetrics;
  /** Called when the consumption of these message seqs is committed. */
  readonly onConsumed: (seqs: readonly number[]) => void;
}

/** A batch to move aside, and why. */
export interface ExhaustedBatch {
  readonly address: FunctionAddress;
  readonly keyGroup: number;
  readonly batch: readonly PendingMessage[];
  readonly attempts: number;
  readonly lastError: CallFailure;
  /** An operator moved it (`POST /v1/stalled/…/dead-letter`) rather than the policy's limits. */
  readonly byOperator?: boolean;
}

/**
 * The reason stored with a dead letter: the last error's code first, so that it can be read back
 * ({@link lastErrorOfReason}).
 */
export function deadLetterReason(lastError: CallFailure, attempts: number, byOperator = false): string {
  const moved = byOperator ? '; moved by an operator' : '';
  return `${lastError.code}: ${lastError.message} (after ${attempts} failed attempt${attempts === 1 ? '' : 's'}${moved})`;
}

/** The last error's code and message in a stored reason, when it starts with a code (`ERR_…: `). */
export function lastErrorOfReason(reason: string): CallFailure | undefined {
  const match =
    /^(ERR_[A-Z0-9_]+): ([\s\S]*?)(?: \(after \d+ failed attempts?(?:; moved by an operator)?\))?$/.exec(
      reason,
    );
  return match === null ? undefined : { code: match[1]!, message: match[2]! };
}

/** Commits exhausted batches to the dead letters. */
export class DeadLettering {
  readonly #deps: DeadLetteringDeps;

  constructor(deps: DeadLetteringDeps) {
    this.#deps = deps;
  }

  /**
   * Moves a batch to the dead letters; resolves once that is durable.
   *
   * @throws what the committer rejects the commit with (the batch stays in the inbox then).
   */
  async move(exhausted: ExhaustedBatch): Promise<void> {
    const { address, keyGroup, batch, attempts, lastError, byOperator } = exhausted;
    const now = this.#deps.clock.now();
    const consumed = batch.map((m) => m.source.seq);
    const messages: StoredMessage[] = batch.map((m) => ({
      seq: m.source.seq,
      keyGroup: m.keyGroup,
      target: m.target,
      caller: m.caller,
      argument: m.argument,
      // When it was enqueued is not kept in memory; a replay enqueues it anew anyway.
      enqueuedAt: now,
      // Kept with the dead letter: a replayed message continues the trace of its ingress.
      traceparent: m.traceparent,
    }));
    const effects: EffectSet = {
      address,
      consumedMessages: consumed,
      firedTimers: [],
      messages: [],
      timerOps: [],
      stateWrites: [],
      egress: [],
      deadLetters: [
        { address, messages, reason: deadLetterReason(lastError, attempts, byOperator), createdAt: now },
      ],
      fenceKeyGroups: [keyGroup],
    };
    await this.#deps.committer.submitEffects(effects);
    this.#deps.onConsumed(consumed);
    this.#deps.metrics.deadLetters.inc({ function_type: address.type });
    this.#deps.log.warn(
      {
        functionType: address.type,
        functionId: address.id,
        keyGroup,
        attempts,
        batchSize: batch.length,
        lastError,
      },
      `the batch of ${formatAddress(address)} was moved to the dead letters (${byOperator === true ? 'by an operator' : "its policy's limits were reached"}); the address carries on with its next messages`,
    );
  }
}
