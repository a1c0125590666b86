/**
 * The mailbox router: one mailbox per address, at most one invocation in flight per address, the backlog sent
 * as the next batch. A batch runs in `batch-invoker.ts` (request, call, retries and stalls), its reply is applied
 * by `reply-applier.ts` (validate, build effects, apply speculatively, submit to the committer); the bounded
 * invocation slots are `invocation-slots.ts`.
 */
import type { Logger } from 'pino';
import { addressKey, keyGroupOf, type FunctionAddress } from '../core/address.js';
import type { FunctionClient } from '../invoke/function-client.js';
import type { EndpointResolver } from '../invoke/resolved-endpoint.js';
import type { BackoffOptions } from '../invoke/retry-policy.js';
import { sleep, type Stall } from '../invoke/retrying-call.js';
import type { EgressAppend, StoredMessage, StoredTimer } from '../store/store.js';
import { BatchInvoker } from './batch-invoker.js';
import type { Committer } from './committer.js';
import type { IdSource } from './id-allocator.js';
import { InvocationSlots } from './invocation-slots.js';
import { createMailbox, takeBatch, type Mailbox } from './mailbox.js';
import type { RuntimeMetrics } from './metrics.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { ReplyApplier } from './reply-applier.js';
import type { SpecRegistry } from './spec-registry.js';
import type { StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';

/** Why an address is stalled. */
export interface StallInfo extends Stall {
  readonly address: FunctionAddress;
}

/** Settings of the dispatcher. */
export interface DispatcherOptions {
  readonly keyGroups: number;
  readonly maxInFlightInvocations: number;
  readonly backoff: BackoffOptions;
}

/** Collaborators of the dispatcher. */
export interface DispatcherDeps {
  readonly log: Logger;
  readonly committer: Committer;
  readonly cache: StateCache;
  readonly specs: SpecRegistry;
  readonly timers: TimerService;
  readonly resolver: EndpointResolver;
  readonly client: FunctionClient;
  readonly metrics: RuntimeMetrics;
  readonly ids: IdSource;
  readonly hasEgress: (id: string) => boolean;
  readonly onEgress?: (records: readonly EgressAppend[]) => void;
  /** Whether this process owns a key group (cluster mode); every key group when absent. */
  readonly owns?: (keyGroup: number) => boolean;
  /**
   * Called for every message about to enter a mailbox; returning false drops it because it was delivered
   * already (cluster mode: inbox reloads race with local delivery).
   */
  readonly onDeliver?: (message: PendingMessage) => boolean;
  /** Called when the consumption of these message seqs is committed. */
  readonly onConsumed?: (seqs: readonly number[]) => void;
}

/** Routes messages to mailboxes and runs invocations. */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #options: DispatcherOptions;
  readonly #log: Logger;
  readonly #mailboxes = new Map<string, Mailbox>();
  readonly #slots: InvocationSlots<Mailbox>;
  // While paused (recovery), deliveries only fill mailboxes; resume() starts them all.
  #paused = false;
  #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #messages = 0;
  #draining = false;
  #resetting = false;
  readonly #applier: ReplyApplier;
  readonly #invoker: BatchInvoker;

  constructor(deps: DispatcherDeps, options: DispatcherOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.log.child({ component: 'dispatcher' });
    this.#slots = new InvocationSlots(options.maxInFlightInvocations);
    const owns = (keyGroup: number): boolean => this.#owns(keyGroup);
    this.#applier = new ReplyApplier(
      {
        ...deps,
        isBound: (type) => deps.resolver.resolve(type) !== undefined,
        owns,
        deliver: (message) => this.deliver(message),
      },
      { keyGroups: options.keyGroups },
    );
    this.#invoker = new BatchInvoker(
      { ...deps, log: this.#log, applier: this.#applier, owns },
      { backoff: options.backoff },
    );
  }

  /** Stops starting invocations: deliveries only fill mailboxes (used while recovering). */
  pause(): void {
    this.#paused = true;
  }

  /** Starts invocations for every mailbox that has messages. */
  resume(): void {
    this.#paused = false;
    for (const mb of this.#mailboxes.values()) this.#schedule(mb);
  }

  /** Messages waiting or in flight in all mailboxes. */
  get messageCount(): number {
    return this.#messages;
  }

  /** Invocations in flight. */
  get inFlight(): number {
    return this.#slots.inUse;
  }

  /** Addresses that are stalled, oldest first. */
  stalled(): StallInfo[] {
    const out: StallInfo[] = [];
    for (const mb of this.#mailboxes.values()) {
      if (mb.stall !== undefined) out.push({ address: mb.address, ...mb.stall });
    }
    return out.sort((a, b) => a.since - b.since);
  }

  /** Messages waiting or in flight per function type. */
  backlogByType(): Map<string, number> {
    return this.#countByType((mb) => mb.pending.length + mb.inFlight);
  }

  /** Stalled addresses per function type. */
  stalledByType(): Map<string, number> {
    return this.#countByType((mb) => (mb.stall === undefined ? 0 : 1));
  }

  #countByType(count: (mb: Mailbox) => number): Map<string, number> {
    const out = new Map<string, number>();
    for (const mb of this.#mailboxes.values()) {
      const n = count(mb);
      if (n > 0 || !out.has(mb.address.type)) out.set(mb.address.type, (out.get(mb.address.type) ?? 0) + n);
    }
    return out;
  }

  /** Adds a committed (or speculatively produced) message to its address's mailbox. */
  deliver(message: PendingMessage): void {
    // While resetting, everything in memory is being dropped: the caller reloads from the store afterwards.
    if (this.#abort.signal.aborted || this.#resetting) return;
    if (this.#deps.onDeliver !== undefined && !this.#deps.onDeliver(message)) return;
    const key = addressKey(message.target);
    let mb = this.#mailboxes.get(key);
    if (mb === undefined) {
      mb = createMailbox(message);
      this.#mailboxes.set(key, mb);
    }
    mb.pending.push(message);
    this.#messages += 1;
    this.#schedule(mb);
  }

  /**
   * Stops starting batches, lets in-flight invocations finish for up to `graceMs`, then abandons the rest
   * (their messages stay in the store and run again after a restart).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#draining = true;
    const all = Promise.allSettled([...this.#running]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.#abort.abort();
    this.#deps.client.abortInFlight();
    await Promise.allSettled([...this.#running]);
  }

  /**
   * The store refused effects of `address` (a constraint, or a value it cannot keep): from now on they are
   * committed alone and shared only once committed, so another refusal stalls this address and nothing else.
   */
  quarantine(address: FunctionAddress, err: { readonly code: string; readonly message: string }): void {
    this.#applier.quarantine(address, err);
  }

  #owns(keyGroup: number): boolean {
    return this.#deps.owns === undefined || this.#deps.owns(keyGroup);
  }

  /**
   * Stops working on key groups this process no longer owns (the ownership predicate already says so): drops
   * their waiting messages, which stay in the store. Effects applied before the hand-over are in the
   * committer; the caller flushes it before releasing the leases.
   */
  releaseKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const mb of this.#mailboxes.values()) {
      if (!keyGroups.has(mb.keyGroup)) continue;
      // Waiting messages stay in the store for the new owner. An invocation in flight finds out at its next
      // step that the key group is gone and drops its reply unapplied (batch-invoker.ts): nothing to wait for.
      this.#messages -= mb.pending.length;
      mb.pending = [];
      mb.wake?.();
      if (!mb.running) this.#mailboxes.delete(mb.key);
    }
    this.#slots.forgetWaiting((mb) => keyGroups.has(mb.keyGroup));
  }

  /**
   * Forgets everything in memory: abandons in-flight invocations and empties every mailbox. Used after a
   * fenced commit; the caller then reloads what it owns from the store.
   */
  async reset(): Promise<void> {
    // No mailbox may start (or restart) while the old loops wind down: a loop started now would run an old
    // batch next to the same messages reloaded from the store, and apply them twice.
    this.#resetting = true;
    try {
      const old = this.#abort;
      this.#abort = new AbortController();
      old.abort();
      this.#slots.clearWaiting();
      this.#deps.client.abortInFlight();
      await Promise.allSettled([...this.#running]);
      this.#mailboxes.clear();
      this.#slots.clearWaiting();
      this.#messages = 0;
    } finally {
      this.#resetting = false;
    }
  }

  /**
   * Fires a due delayed message: one commit turns the timer into an inbox message of its target (which frees
   * its cancellation token at once, durably), and when this process owns the target the message enters its
   * mailbox right away (the consumer's effects commit after this conversion).
   */
  fireTimer(timer: StoredTimer, signal: AbortSignal = this.#abort.signal): void {
    if (signal.aborted || this.#resetting) return; // reset meanwhile: the reload re-arms it from the store
    let seq: number;
    try {
      seq = this.#deps.ids.nextSeq();
    } catch {
      // No id block yet (cluster mode): fire again shortly.
      setTimeout(() => this.fireTimer(timer, signal), 50).unref();
      return;
    }
    const message: StoredMessage = {
      seq,
      keyGroup: keyGroupOf(timer.target, this.#options.keyGroups),
      target: timer.target,
      caller: timer.sender,
      argument: timer.argument,
      enqueuedAt: Date.now(),
    };
    this.#deps.committer
      .submitEffects({
        consumedMessages: [],
        firedTimers: [timer.id],
        messages: [message],
        timerOps: [],
        stateWrites: [],
        egress: [],
        fenceKeyGroups: [timer.keyGroup],
      })
      .catch(() => undefined); // the committer reports failures (fatal, or a reset in cluster mode)
    if (this.#owns(message.keyGroup)) this.deliver(pendingFromStored(message));
  }

  #schedule(mb: Mailbox): void {
    if (mb.running || mb.pending.length === 0 || this.#draining || this.#paused || this.#resetting) return;
    if (!this.#slots.tryTake(mb)) return; // it waits for a slot
    mb.running = true;
    const signal = this.#abort.signal;
    const loop: Promise<void> = this.#drain(mb)
      .catch(async (err: unknown) => {
        // Nothing inside a mailbox loop may stop the runtime: log, wait a little, and let it run again (its
        // batch went back into the mailbox; the messages are in the store either way).
        this.#log.error(
          { err, functionType: mb.address.type, functionId: mb.address.id },
          'mailbox loop failed unexpectedly; retrying in 1 s',
        );
        await sleep(1_000, signal);
      })
      .finally(() => {
        this.#running.delete(loop);
        mb.running = false;
        this.#releaseSlot(mb);
        // Reset or closed meanwhile: this mailbox is gone (its messages are in the store).
        if (signal.aborted) return;
        if (mb.pending.length === 0 && mb.inFlight === 0) this.#mailboxes.delete(mb.key);
        else this.#schedule(mb);
      });
    this.#running.add(loop);
  }

  /** Gives an address's invocation slot back and lets waiting addresses have the free slots. */
  #releaseSlot(mb: Mailbox): void {
    if (!this.#slots.release(mb)) return;
    for (let next = this.#slots.nextWaiting(); next !== undefined; next = this.#slots.nextWaiting()) {
      this.#schedule(next);
    }
  }

  async #drain(mb: Mailbox): Promise<void> {
    const signal = this.#abort.signal;
    while (mb.pending.length > 0 && !signal.aborted && !this.#draining) {
      if (!this.#owns(mb.keyGroup)) {
        // Handed over: the pending messages stay in the store for the new owner.
        this.#messages -= mb.pending.length;
        mb.pending = [];
        return;
      }
      const resolved = this.#deps.resolver.resolve(mb.address.type);
      const batch = takeBatch(mb, resolved?.endpoint.maxNumBatchRequests ?? Infinity);
      mb.inFlight = batch.length;
      try {
        let ok: boolean;
        try {
          ok = await this.#invoker.invoke({
            mailbox: mb,
            batch,
            endpoint: resolved,
            signal,
            isStopping: () => signal.aborted || this.#draining,
            onStalledWait: () => this.#releaseSlot(mb),
            // Retry without waiting for a slot: the attempt is short and the overshoot is bounded by the
            // number of stalled addresses retrying at this instant.
            onStalledRetry: () => this.#slots.force(mb),
          });
        } catch (err) {
          mb.pending = batch.concat(mb.pending);
          throw err;
        }
        if (!ok) {
          // Aborted: put the batch back so that nothing is lost from memory either.
          mb.pending = batch.concat(mb.pending);
          return;
        }
        this.#messages -= batch.length;
      } finally {
        mb.inFlight = 0;
      }
    }
  }
}
