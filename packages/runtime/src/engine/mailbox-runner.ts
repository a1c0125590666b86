/**
 * Runs the mailboxes: one loop per address that has messages, holding one of the bounded invocation slots (one
 * function type holds at most half of them; a failing address also holds a failing slot, `failing-attempts.ts`),
 * taking batches from the address's window, paging the rest in from the store (`mailbox-memory.ts`) and handing
 * each batch to the invoker (`batch-invoker.ts`). Nothing inside a loop may stop the runtime: a loop that fails
 * unexpectedly logs, waits a second and runs again.
 */
import type { Logger } from 'pino';
import { sleep, type Clock } from '../core/clock.js';
import type { EndpointResolver } from '../invoke/resolved-endpoint.js';
import type { RetryResult } from '../invoke/retrying-call.js';
import type { BatchInvoker } from './batch-invoker.js';
import type { DeadLettering } from './dead-lettering.js';
import { FailingAttempts } from './failing-attempts.js';
import { InvocationSlots } from './invocation-slots.js';
import { takeBatch, type Mailbox } from './mailbox.js';
import type { PendingMessage } from './pending-message.js';
import type { MailboxMemory } from './mailbox-memory.js';

const CANCELLED: RetryResult = Object.freeze({ kind: 'cancelled' });

/** Collaborators of the runner. */
export interface MailboxRunnerDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly resolver: EndpointResolver;
  /** Whether this process owns a key group (cluster mode: it changes). */
  readonly owns: (keyGroup: number) => boolean;
  readonly memory: MailboxMemory;
  readonly invoker: BatchInvoker;
  /** Moves batches that reached their dead-letter limits aside. */
  readonly deadLettering: DeadLettering;
  /** The signal of the current run: a reset or close aborts it (a reset then starts a new one). */
  readonly signal: () => AbortSignal;
  /** Whether the runtime is closing: loops end after their batch and none starts. */
  readonly isDraining: () => boolean;
  /** Whether a reset is winding the loops down: none may start (it would run an old batch twice). */
  readonly isResetting: () => boolean;
}

/** Settings of the runner. */
export interface MailboxRunnerOptions {
  /** Invocation slots; one function type holds at most half, failing attempts at most half. */
  readonly maxInFlightInvocations: number;
}

/** Runs mailbox loops within the invocation slots. */
export class MailboxRunner {
  readonly #deps: MailboxRunnerDeps;
  readonly #slots: InvocationSlots<Mailbox>;
  // Failing addresses attempt within their own limits (half the slots, paced per type).
  readonly #failing: FailingAttempts;
  // The loop of each running mailbox.
  readonly #running = new Map<Mailbox, Promise<void>>();

  constructor(deps: MailboxRunnerDeps, options: MailboxRunnerOptions) {
    this.#deps = deps;
    // One function type holds at most half the slots: one whose calls hang cannot take them all.
    this.#slots = new InvocationSlots({
      limit: options.maxInFlightInvocations,
      groups: {
        groupOf: (mb) => mb.address.type,
        groupLimit: Math.max(1, Math.floor(options.maxInFlightInvocations / 2)),
      },
    });
    this.#failing = new FailingAttempts(deps, options);
  }

  /** Invocations in flight. */
  get inFlight(): number {
    return this.#slots.inUse;
  }

  /** Lets a mailbox run when it has work, a slot is free and nothing holds it back. */
  schedule(mb: Mailbox): void {
    const { memory } = this.#deps;
    if (mb.running || memory.waiting.isRetrying(mb) || (mb.pending.length === 0 && !mb.spilled)) return;
    if (this.#deps.isDraining() || this.#deps.isResetting()) return;
    // A failing address waits for a failing slot first (it attempts when another failing attempt ends).
    if (mb.failing !== undefined && !this.#failing.slots.tryTake(mb)) return;
    if (!this.#slots.tryTake(mb)) {
      this.#failing.slots.release(mb); // it waits for a slot instead
      return;
    }
    mb.running = true;
    const signal = this.#deps.signal();
    // Its own entry until it ends (one loop per address at a time): what settled() waits for.
    this.#running.set(mb, this.#loop(mb, signal));
  }

  /**
   * One mailbox loop, start to end. One async frame with try/catch/finally rather than `.catch().finally()`
   * on the drain: a loop starts for nearly every message, and each handler would add a promise to it.
   */
  async #loop(mb: Mailbox, signal: AbortSignal): Promise<void> {
    try {
      await this.#drain(mb, signal);
    } catch (err) {
      // Nothing inside a mailbox loop may stop the runtime: log, wait a little, and let it run again (its
      // batch went back into the mailbox; the messages are in the store either way).
      this.#deps.log.error(
        { err, functionType: mb.address.type, functionId: mb.address.id },
        'mailbox loop failed unexpectedly; retrying in 1 s',
      );
      await sleep(this.#deps.clock, 1_000, signal).catch(() => undefined);
    } finally {
      this.#running.delete(mb);
      mb.running = false;
      this.#releaseSlot(mb);
      this.#afterLoop(mb, signal);
    }
  }

  /** A loop ended: the mailbox leaves memory when it is empty, else it runs again when nothing holds it back. */
  #afterLoop(mb: Mailbox, signal: AbortSignal): void {
    // Reset or closed meanwhile: this mailbox is gone (its messages are in the store).
    if (signal.aborted) return;
    const { memory } = this.#deps;
    const { waiting } = memory;
    if (mb.pending.length === 0 && mb.inFlight === 0 && !mb.spilled) memory.forget(mb);
    else if (!waiting.isParked(mb) && !waiting.isRetrying(mb)) this.schedule(mb);
  }

  /** Settles when every loop running now has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Addresses matching `drop` stop waiting for a slot (their key groups were handed over). */
  forgetWaiting(drop: (mb: Mailbox) => boolean): void {
    this.#slots.forgetWaiting(drop);
    this.#failing.slots.forgetWaiting(drop);
  }

  /** Nobody waits for a slot any more (a reset begins: no old mailbox may take a slot freed meanwhile). */
  clearWaiting(): void {
    this.#slots.clearWaiting();
  }

  /** Forgets who waits and how function types failed (after a reset). */
  clear(): void {
    this.#slots.clearWaiting();
    this.#failing.clear();
  }

  /**
   * Gives an address's invocation slot (and failing slot) back and lets waiting addresses that are still in
   * memory have the free slots (a failing address waiting for a failing slot attempts once another ends).
   */
  #releaseSlot(mb: Mailbox): void {
    this.#releaseFrom(this.#slots, mb);
    this.#releaseFrom(this.#failing.slots, mb);
  }

  #releaseFrom(slots: InvocationSlots<Mailbox>, mb: Mailbox): void {
    if (!slots.release(mb)) return;
    const { mailboxes } = this.#deps.memory;
    for (let next = slots.nextWaiting(); next !== undefined; next = slots.nextWaiting()) {
      if (mailboxes.get(next.key) === next) this.schedule(next);
    }
  }

  /**
   * Moves an exhausted batch to the dead letters: the address then carries on with its next messages, as if
   * it had succeeded (its failing streak ends). When the commit fails the batch is released as after any
   * failed attempt (or put back when the run is cancelled).
   *
   * @returns whether the loop goes on.
   */
  async #deadLetter(
    mb: Mailbox,
    batch: PendingMessage[],
    result: Extract<RetryResult, { kind: 'exhausted' }>,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { memory } = this.#deps;
    const paced = this.#failing.failed(mb.address.type);
    try {
      await this.#deps.deadLettering.move({
        address: mb.address,
        keyGroup: mb.keyGroup,
        batch,
        attempts: result.attempts,
        lastError: result.lastError,
        byOperator: result.byOperator === true,
      });
    } catch (err) {
      if (signal.aborted || this.#deps.isDraining()) mb.pending = batch.concat(mb.pending);
      else {
        this.#deps.log.warn(
          { err, functionType: mb.address.type, functionId: mb.address.id },
          'moving a batch to the dead letters failed; retrying',
        );
        memory.release(mb, batch, Math.max(result.retryInMs, paced));
      }
      return false;
    }
    memory.consumed(batch);
    mb.deadLetterRequested = false;
    mb.failing = undefined;
    mb.stall = undefined;
    memory.recovered(mb);
    return true;
  }

  async #drain(mb: Mailbox, signal: AbortSignal): Promise<void> {
    const { memory } = this.#deps;
    while ((mb.pending.length > 0 || mb.spilled) && !signal.aborted && !this.#deps.isDraining()) {
      if (!this.#deps.owns(mb.keyGroup)) {
        // Handed over: the pending messages stay in the store for the new owner.
        memory.dropPending(mb);
        mb.spilled = false;
        return;
      }
      if (mb.pending.length === 0 && !(await memory.pageIn(mb))) return;
      if (mb.pending.length === 0) continue;
      const resolved = this.#deps.resolver.resolve(mb.address.type);
      const batch = takeBatch(mb, resolved?.endpoint.maxNumBatchRequests ?? Infinity);
      mb.inFlight = batch.length;
      const wasFailing = mb.failing !== undefined;
      let result: RetryResult = CANCELLED;
      try {
        result =
          movedByOperator(mb) ??
          (await this.#deps.invoker.invoke({
            mailbox: mb,
            batch,
            endpoint: resolved,
            signal,
            isStopping: () => signal.aborted || this.#deps.isDraining(),
          }));
      } finally {
        mb.inFlight = 0;
        if (result.kind === 'done') {
          mb.deadLetterRequested = false;
          memory.consumed(batch);
          this.#failing.succeeded(mb.address.type);
        }
        // Aborted or failed unexpectedly: put the batch back so that nothing is lost from memory either.
        else if (result.kind === 'cancelled') mb.pending = batch.concat(mb.pending);
        else if (result.kind === 'released') {
          const paced = this.#failing.failed(mb.address.type);
          memory.release(mb, batch, Math.max(result.retryInMs, paced));
        }
      }
      if (result.kind === 'exhausted') {
        if (!(await this.#deadLetter(mb, batch, result, signal))) return;
        continue;
      }
      if (result.kind !== 'done') return;
      // Its type works again: the others failing with it attempt now, two more for every success.
      if (wasFailing) {
        memory.recovered(mb);
        memory.waiting.wake(mb.address.type, 2);
      }
    }
  }
}

/**
 * The result an operator's "move to dead letters" stands for: the stalled address's batch is exhausted now, with
 * the error and attempts of its stall, instead of being called again.
 */
function movedByOperator(mb: Mailbox): Extract<RetryResult, { kind: 'exhausted' }> | undefined {
  const stall = mb.stall;
  if (!mb.deadLetterRequested || stall === undefined) return undefined;
  return {
    kind: 'exhausted',
    retryInMs: 0,
    attempts: stall.attempts,
    lastError: stall.lastError,
    byOperator: true,
  };
}
