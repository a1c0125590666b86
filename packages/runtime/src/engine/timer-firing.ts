/**
 * Firing a due delayed message: one commit turns the timer into an inbox message of its target (which frees its
 * cancellation token at once, durably), and when this process owns the target the message enters its mailbox
 * right away (the consumer's effects commit after this conversion).
 */
import type { Clock } from '../core/clock.js';
import type { StoredTimer } from '../store/store.js';
import type { Committer } from './committer.js';
import { buildFiredTimerEffects } from './effect-builder.js';
import type { IdSource } from './id-allocator.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';

/** Wait before trying again when no message seq is available yet (cluster mode, before the first id block), ms. */
const NO_SEQ_RETRY_MS = 50;

/** Collaborators of {@link fireTimer}. */
export interface TimerFiringDeps {
  readonly ids: IdSource;
  readonly committer: Pick<Committer, 'submitEffects'>;
  readonly clock: Clock;
  readonly keyGroups: number;
  /** Whether this process owns a key group. */
  readonly owns: (keyGroup: number) => boolean;
  /** Puts a message into its mailbox. */
  readonly deliver: (message: PendingMessage) => void;
}

/**
 * Fires a due timer.
 *
 * @param isVoid - whether the engine was reset or closed meanwhile (the reload re-arms the timer from the store).
 */
export function fireTimer(deps: TimerFiringDeps, timer: StoredTimer, isVoid: () => boolean): void {
  if (isVoid()) return;
  let seq: number;
  try {
    seq = deps.ids.nextSeq();
  } catch {
    deps.clock.setTimeout(() => fireTimer(deps, timer, isVoid), NO_SEQ_RETRY_MS);
    return;
  }
  const effects = buildFiredTimerEffects(timer, { seq, keyGroups: deps.keyGroups, now: deps.clock.now() });
  // The committer reports failures (fatal, or a reset in cluster mode).
  deps.committer.submitEffects(effects).catch(() => undefined);
  for (const m of effects.messages) if (deps.owns(m.keyGroup)) deps.deliver(pendingFromStored(m));
}
