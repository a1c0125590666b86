/**
 * The mailbox router: one mailbox per address, at most one invocation in flight per address, the waiting
 * messages sent as the next batch. A batch runs in `batch-invoker.ts` (request, call, retries and stalls), its
 * reply is applied by `reply-applier.ts` (validate, build effects, apply speculatively, submit to the
 * committer); the bounded invocation slots are `invocation-slots.ts`.
 *
 * Memory holds a window of each address's messages, within a budget of messages and bytes
 * (`memory-budget.ts`); the backlog beyond it stays in the store. An address whose window is full is
 * *spilled*: its further messages stay in the store, and it pages them in, in seq order, once its window is
 * empty. Messages of addresses not in memory are read by the scanner (`backlog-scanner.ts`) as memory frees.
 * Stalled addresses give their waiting messages back to the store when memory runs short, so one failing
 * function never holds the memory others need.
 */
import type { Logger } from 'pino';
import { sleep, type Clock, type TimerHandle } from '../core/clock.js';
import { addressKey, type FunctionAddress } from '../core/address.js';
import type { FunctionClient } from '../invoke/function-client.js';
import type { EndpointResolver } from '../invoke/resolved-endpoint.js';
import { backoffDelay, type BackoffOptions } from '../invoke/retry-policy.js';
import type { RetryResult, Stall } from '../invoke/retrying-call.js';
import type { EgressAppend, StoredMessage, StoredTimer } from '../store/store.js';
import { BatchInvoker } from './batch-invoker.js';
import { buildFiredTimerEffects } from './effect-builder.js';
import type { Committer } from './committer.js';
import type { IdSource } from './id-allocator.js';
import { BacklogScanner, type InboxSource, type Offered } from './backlog-scanner.js';
import { InboxTracker } from './inbox-tracker.js';
import { InvocationSlots } from './invocation-slots.js';
import { createMailbox, takeBatch, type Mailbox } from './mailbox.js';
import { MemoryBudget, type MemoryBudgetOptions } from './memory-budget.js';
import type { RuntimeMetrics } from './metrics.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { ReplyApplier } from './reply-applier.js';
import { WaitingAddresses } from './waiting-addresses.js';
import type { SpecRegistry } from './spec-registry.js';
import type { StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';

const CANCELLED: RetryResult = Object.freeze({ kind: 'cancelled' });

/** Why an address is stalled. */
export interface StallInfo extends Stall {
  readonly address: FunctionAddress;
}

/** Settings of the dispatcher. */
export interface DispatcherOptions {
  readonly keyGroups: number;
  readonly maxInFlightInvocations: number;
  readonly backoff: BackoffOptions;
  /** Messages and bytes the mailboxes hold in memory at most; the rest waits in the store. */
  readonly memory: MemoryBudgetOptions;
  /** Messages of one address held in memory at most (besides its batch in flight); two batches when fewer. */
  readonly windowMessages: number;
  /** Messages per read of the backlog from the store. @default 1000 */
  readonly pageMessages?: number;
}

/** Collaborators of the dispatcher. */
export interface DispatcherDeps {
  readonly log: Logger;
  readonly clock: Clock;
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
  /** Whether this process owns a key group (cluster mode: it changes). */
  readonly owns: (keyGroup: number) => boolean;
  /** Where the backlog is read from (cluster mode: the key groups this process owns). */
  readonly inbox: InboxSource;
}

/** Routes messages to mailboxes and runs invocations. */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #options: DispatcherOptions;
  readonly #log: Logger;
  readonly #mailboxes = new Map<string, Mailbox>();
  readonly #slots: InvocationSlots<Mailbox>;
  readonly #budget: MemoryBudget;
  readonly #tracker = new InboxTracker();
  readonly #scanner: BacklogScanner;
  // Spilled addresses waiting for memory to page their messages in, and failing ones waiting to retry.
  readonly #waiting: WaitingAddresses;
  // Failing addresses attempting again now: at most half the invocation slots, so that however many
  // addresses fail (or hang), the others always have slots.
  readonly #failingRunning = new Set<Mailbox>();
  #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #draining = false;
  #resetting = false;
  readonly #applier: ReplyApplier;
  readonly #invoker: BatchInvoker;

  constructor(deps: DispatcherDeps, options: DispatcherOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.log.child({ component: 'dispatcher' });
    // One function type holds at most half the slots: one whose calls hang cannot take them all.
    this.#slots = new InvocationSlots(options.maxInFlightInvocations, {
      groupOf: (mb) => mb.address.type,
      groupLimit: Math.max(1, Math.floor(options.maxInFlightInvocations / 2)),
    });
    this.#budget = new MemoryBudget(options.memory);
    this.#waiting = new WaitingAddresses({
      clock: deps.clock,
      budget: this.#budget,
      onRetry: (mb) => {
        if (this.#mailboxes.get(mb.key) === mb) this.#schedule(mb);
      },
    });
    this.#scanner = new BacklogScanner(
      {
        inbox: deps.inbox,
        tracker: this.#tracker,
        log: this.#log,
        hasRoom: () => this.#budget.isBelowLowWater(),
        clock: deps.clock,
        flush: () => deps.committer.flush(),
        offer: (m) => this.#offer(pendingFromStored(m), 'scan'),
        isActive: () => this.#isActive(),
      },
      { pageSize: options.pageMessages ?? 1_000 },
    );
    this.#applier = new ReplyApplier(
      {
        ...deps,
        isBound: (type) => deps.resolver.resolve(type) !== undefined,
        deliver: (message) => this.deliver(message),
        onConsumed: (seqs) => this.#tracker.consumed(seqs),
      },
      { keyGroups: options.keyGroups },
    );
    this.#invoker = new BatchInvoker(
      { ...deps, log: this.#log, applier: this.#applier },
      { backoff: options.backoff },
    );
  }

  /** Messages held in memory (waiting or in flight). */
  get messageCount(): number {
    return this.#budget.messages;
  }

  /** Bytes of the messages held in memory (estimated). */
  get memoryBytes(): number {
    return this.#budget.bytes;
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

  /** Messages held in memory per function type. */
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

  /**
   * Adds a committed (or speculatively produced) message to its address's mailbox, or leaves it in the store
   * (which has it, or will once its commit is done) when memory is short.
   */
  deliver(message: PendingMessage): void {
    this.#offer(message, 'live');
  }

  /**
   * Delivers messages read from the store (cluster mode: messages other processes added), skipping those in
   * memory already.
   */
  async deliverStored(read: () => Promise<StoredMessage[]>): Promise<void> {
    for (const m of await this.#scanner.read(read)) {
      if (this.#deps.owns(m.keyGroup)) this.deliver(pendingFromStored(m));
    }
  }

  /** Reads every pending message of the owned key groups again, as memory allows (recovery, acquired key groups). */
  rescan(): void {
    this.#scanner.rescan();
  }

  /**
   * Stops starting batches, lets in-flight invocations finish for up to `graceMs`, then abandons the rest
   * (their messages stay in the store and run again after a restart).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#draining = true;
    const all = Promise.allSettled([...this.#running]);
    const { clock } = this.#deps;
    let timer: TimerHandle | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, graceMs)))]);
    if (timer !== undefined) clock.clearTimeout(timer);
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
      this.#dropPending(mb);
      mb.spilled = false;
      this.#waiting.unpark(mb);
      if (!mb.running) this.#forget(mb);
    }
    this.#slots.forgetWaiting((mb) => keyGroups.has(mb.keyGroup));
    this.#tracker.dropKeyGroups(keyGroups);
    this.#readBacklog();
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
      this.#waiting.clear();
      this.#failingRunning.clear();
      this.#budget.clear();
      this.#tracker.clear();
      this.#scanner.reset();
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
      this.#deps.clock.setTimeout(() => this.fireTimer(timer, signal), 50);
      return;
    }
    const { keyGroups } = this.#options;
    const effects = buildFiredTimerEffects(timer, { seq, keyGroups, now: this.#deps.clock.now() });
    // The committer reports failures (fatal, or a reset in cluster mode).
    this.#deps.committer.submitEffects(effects).catch(() => undefined);
    for (const m of effects.messages) if (this.#deps.owns(m.keyGroup)) this.deliver(pendingFromStored(m));
  }

  #isActive(): boolean {
    return !this.#abort.signal.aborted && !this.#resetting && !this.#draining;
  }

  /**
   * Takes a message into its mailbox, or leaves it in the store. A live message of an address not in memory
   * waits in the store while the scanner is behind, so that it cannot overtake an earlier one left there.
   */
  #offer(message: PendingMessage, from: 'live' | 'scan' | 'page'): Offered {
    if (this.#abort.signal.aborted || this.#resetting) return 'skipped';
    const key = addressKey(message.target);
    const type = message.target.type;
    let mb = this.#mailboxes.get(key);
    // While the scanner is behind, an address may have earlier messages in the store that it has not read yet,
    // even when the address is in memory: a live message then waits in the store too (scan or page-in).
    const behind = from === 'live' && this.#scanner.isBehindFor(type);
    if (from === 'page') {
      if (!this.#budget.hasRoomFor(type)) return 'full';
    } else if (mb === undefined) {
      if (behind || !this.#budget.hasRoomFor(type)) return this.#leaveInStore(message, from);
    } else if (behind || mb.spilled || mb.pending.length >= mb.window || !this.#budget.hasRoomFor(type)) {
      // The store has it: the address pages its messages in, in seq order, once its window is empty.
      if (mb.paging) mb.droppedWhilePaging = true;
      mb.spilled = true;
      return 'skipped';
    }
    if (!this.#tracker.delivered(message.source.seq, message.keyGroup)) return 'skipped';
    if (mb === undefined) {
      mb = createMailbox(message, this.#windowOf(message.target.type));
      this.#mailboxes.set(key, mb);
    }
    mb.pending.push(message);
    this.#budget.add(message);
    this.#schedule(mb);
    return 'taken';
  }

  /**
   * Leaves a message of an address not in memory in the store, for the scan to come back to: when memory is
   * full, the scan stops and every live message waits behind it; when only its function type holds its share,
   * that type alone waits.
   */
  #leaveInStore(message: PendingMessage, from: 'live' | 'scan'): Offered {
    const memoryFull = !this.#budget.hasRoom();
    if (from === 'scan') return memoryFull ? 'full' : 'typeFull';
    if (memoryFull || this.#scanner.blocksAll) {
      this.#scanner.leftInStore(message.source.seq);
      this.#scanner.kick();
    } else this.#scanner.leftInStoreOfType(message.target.type, message.source.seq);
    return 'skipped';
  }

  /** Messages of an address of this type held in memory at most: two batches, within the configured cap. */
  #windowOf(type: string): number {
    const batch = this.#deps.resolver.resolve(type)?.endpoint.maxNumBatchRequests ?? 1;
    return Math.max(1, Math.min(this.#options.windowMessages, 2 * batch));
  }

  /**
   * Memory may have freed: page in parked addresses first (they are known), then let the scanner read on,
   * also the backlog of function types that were short of room.
   */
  #readBacklog(): void {
    const hasRoom = (type: string): boolean =>
      this.#budget.isBelowLowWater() && this.#budget.isBelowLowWaterFor(type);
    this.#waiting.unparkWhere(hasRoom, (mb) => this.#schedule(mb));
    for (const type of [...this.#scanner.typesLeft()]) if (hasRoom(type)) this.#scanner.typeHasRoom(type);
    this.#scanner.kick();
  }

  /** Drops an address's waiting messages from memory; they stay in the store. */
  #dropPending(mb: Mailbox): void {
    if (mb.pending.length === 0) return;
    this.#budget.remove(mb.pending);
    this.#tracker.forget(mb.pending.map((m) => m.source.seq));
    mb.pending = [];
  }

  #forget(mb: Mailbox): void {
    this.#mailboxes.delete(mb.key);
    this.#waiting.unpark(mb);
    this.#waiting.stopRetrying(mb);
  }

  #schedule(mb: Mailbox): void {
    if (mb.running || this.#waiting.isRetrying(mb) || (mb.pending.length === 0 && !mb.spilled)) return;
    if (this.#draining || this.#resetting) return;
    if (mb.failing !== undefined) {
      if (this.#failingRunning.size >= Math.max(1, this.#options.maxInFlightInvocations / 2)) {
        const { backoff } = this.#options;
        const cap = mb.stall !== undefined ? backoff.stalledMaxMs : backoff.maxMs;
        this.#waiting.retryLater(mb, backoffDelay(mb.failing.attempts, cap, backoff));
        return;
      }
      if (!this.#slots.tryTake(mb)) return; // it waits for a slot
      this.#failingRunning.add(mb);
    } else if (!this.#slots.tryTake(mb)) return; // it waits for a slot
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
        await sleep(this.#deps.clock, 1_000, signal).catch(() => undefined);
      })
      .finally(() => {
        this.#running.delete(loop);
        this.#failingRunning.delete(mb);
        mb.running = false;
        this.#releaseSlot(mb);
        // Reset or closed meanwhile: this mailbox is gone (its messages are in the store).
        if (signal.aborted) return;
        if (mb.pending.length === 0 && mb.inFlight === 0 && !mb.spilled) this.#forget(mb);
        else if (!this.#waiting.isParked(mb) && !this.#waiting.isRetrying(mb)) this.#schedule(mb);
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
    while ((mb.pending.length > 0 || mb.spilled) && !signal.aborted && !this.#draining) {
      if (!this.#deps.owns(mb.keyGroup)) {
        // Handed over: the pending messages stay in the store for the new owner.
        this.#dropPending(mb);
        mb.spilled = false;
        return;
      }
      if (mb.pending.length === 0 && !(await this.#pageIn(mb))) return;
      if (mb.pending.length === 0) continue;
      const resolved = this.#deps.resolver.resolve(mb.address.type);
      const batch = takeBatch(mb, resolved?.endpoint.maxNumBatchRequests ?? Infinity);
      mb.inFlight = batch.length;
      const wasFailing = mb.failing !== undefined;
      let result: RetryResult = CANCELLED;
      try {
        result = await this.#invoker.invoke({
          mailbox: mb,
          batch,
          endpoint: resolved,
          signal,
          isStopping: () => signal.aborted || this.#draining,
        });
      } finally {
        mb.inFlight = 0;
        if (result.kind === 'done') this.#consumed(batch);
        // Aborted or failed unexpectedly: put the batch back so that nothing is lost from memory either.
        else if (result.kind === 'cancelled') mb.pending = batch.concat(mb.pending);
        else this.#release(mb, batch, result.retryInMs);
      }
      if (result.kind !== 'done') return;
      // Its type works again: the others failing with it attempt now, two more for every success.
      if (wasFailing) this.#waiting.wake(mb.address.type, 2);
    }
  }

  /**
   * A stalled address lets go of its batch and waiting messages (they are in the store) and attempts again
   * after `delayMs`, paging them in again: stalled addresses hold neither memory nor invocation slots.
   */
  #release(mb: Mailbox, batch: readonly PendingMessage[], delayMs: number): void {
    this.#budget.remove(batch);
    this.#tracker.forget(batch.map((m) => m.source.seq));
    this.#dropPending(mb);
    mb.spilled = true;
    this.#waiting.retryLater(mb, delayMs);
    this.#readBacklog();
  }

  /** A batch is done: its messages leave memory, which may let the backlog in. */
  #consumed(batch: readonly PendingMessage[]): void {
    this.#budget.remove(batch);
    this.#readBacklog();
  }

  /**
   * Pages a spilled address's messages in from the store, in seq order.
   *
   * @returns false when memory is short (the address is parked until it frees) or the runtime stops.
   */
  async #pageIn(mb: Mailbox): Promise<boolean> {
    if (!this.#budget.isBelowLowWater() || !this.#budget.isBelowLowWaterFor(mb.address.type)) {
      this.#waiting.park(mb);
      return false;
    }
    mb.paging = true;
    mb.droppedWhilePaging = false;
    try {
      // What was left in the store is committed (or fails, and everything resets) before the read.
      await this.#deps.committer.flush();
      // A failing address probes with one message: it reads and holds no more than that until it recovers.
      const limit =
        mb.failing !== undefined
          ? 1
          : Math.max(1, Math.min(mb.window, this.#budget.messagesLeftFor(mb.address.type)));
      let raw = 0;
      const rows = await this.#scanner.read(async () => {
        const read = await this.#deps.inbox.ofAddress(mb.address, limit);
        raw = read.length;
        return read;
      });
      if (!this.#isActive()) return false;
      // A full read may have more behind it (also when some of it was in memory already).
      mb.spilled = raw >= limit || mb.droppedWhilePaging;
      for (const m of rows) {
        // Memory may have filled while the read ran: what does not fit stays in the store.
        if (this.#offer(pendingFromStored(m), 'page') !== 'taken') {
          mb.spilled = true;
          break;
        }
      }
      return true;
    } finally {
      mb.paging = false;
    }
  }
}
