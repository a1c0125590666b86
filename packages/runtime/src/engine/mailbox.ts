/** The mailbox of one address: its waiting messages and the state of its invocation loop. */
import { addressKey, type FunctionAddress } from '../core/address.js';
import type { TimerHandle } from '../core/clock.js';
import type { RetrySubject } from '../invoke/retrying-call.js';
import type { PendingMessage } from './pending-message.js';

/** One address's messages and loop state, owned by the dispatcher. */
export interface Mailbox extends RetrySubject {
  readonly address: FunctionAddress;
  readonly key: string;
  readonly keyGroup: number;
  /** Messages of this address held in memory at most (besides its batch in flight). */
  readonly window: number;
  /** Messages waiting for the next batch, in delivery order. */
  pending: PendingMessage[];
  /** Size of the batch in flight (0 when idle). */
  inFlight: number;
  /** Whether its invocation loop runs. */
  running: boolean;
  /** Whether the store holds messages of this address that are not in memory (they are paged in, in order). */
  spilled: boolean;
  /** Whether a page-in from the store is running. */
  paging: boolean;
  /** Whether a message was left in the store while the page-in ran (its read may have missed it). */
  droppedWhilePaging: boolean;
  /** Set while a stalled address waits to attempt again (without its batch, which is in the store). */
  retryTimer: TimerHandle | undefined;
  /** Whether it counts as one message of its type's memory share while failing (from its first failure on). */
  countsAsFailing: boolean;
  /**
   * Set by an operator ("move to dead letters"): the failing batch goes to the dead letters at the address's
   * next turn, without another call. Cleared once it moved, or when the address succeeds first.
   */
  deadLetterRequested: boolean;
}

/**
 * An empty mailbox for the target of `message`.
 *
 * @param window - messages held in memory at most.
 */
export function createMailbox(message: PendingMessage, window: number): Mailbox {
  return {
    address: message.target,
    key: addressKey(message.target),
    keyGroup: message.keyGroup,
    window,
    pending: [],
    inFlight: 0,
    running: false,
    spilled: false,
    paging: false,
    droppedWhilePaging: false,
    retryTimer: undefined,
    countsAsFailing: false,
    deadLetterRequested: false,
    stall: undefined,
    failing: undefined,
  };
}

/**
 * Takes the next batch off the mailbox: all waiting messages, or the first `limit`.
 */
export function takeBatch(mb: Mailbox, limit: number): PendingMessage[] {
  if (mb.pending.length <= limit) {
    const batch = mb.pending;
    mb.pending = [];
    return batch;
  }
  const batch = mb.pending.slice(0, limit);
  mb.pending = mb.pending.slice(limit);
  return batch;
}
