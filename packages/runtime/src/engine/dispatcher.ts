/**
 * The mailbox router: one mailbox per address, messages delivered to it live, read from the store, or fired
 * by timers, and the engine's whole in-memory state dropped or handed over when ownership changes. The loops
 * run in `mailbox-runner.ts` (at most one invocation in flight per address, within the bounded invocation
 * slots; failing addresses attempt within `failing-attempts.ts`); a batch runs in `batch-invoker.ts` (request,
 * call, retries and stalls), and its reply is applied by `reply-applier.ts` (validate, build effects, apply
 * speculatively, submit to the committer). Due timers become messages in `timer-firing.ts`.
 *
 * What the mailboxes hold in memory, and how the backlog comes back from the store, is `mailbox-memory.ts`:
 * memory holds a window of each address's messages within a budget, the rest stays in the store, and failing
 * addresses give their messages back between attempts, so one failing function never holds the memory or the
 * slots others need.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { addressKey, type FunctionAddress } from '../core/address.js';
import type { FunctionClient } from '../invoke/function-client.js';
import type { EndpointResolver } from '../invoke/resolved-endpoint.js';
import type { BackoffOptions } from '../invoke/retry-policy.js';
import type { DeadLetterLimits, Stall } from '../invoke/retrying-call.js';
import type { EgressAppend, StoredMessage, StoredTimer, StoredValue } from '../store/store.js';
import { BatchInvoker } from './batch-invoker.js';
import type { Committer } from './committer.js';
import { DeadLettering } from './dead-lettering.js';
import type { IdSource } from './id-allocator.js';
import type { InboxSource } from './backlog-scanner.js';
import type { Mailbox } from './mailbox.js';
import type { MemoryBudgetOptions } from './memory-budget.js';
import type { RuntimeMetrics } from './metrics.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { MailboxMemory } from './mailbox-memory.js';
import { MailboxRunner } from './mailbox-runner.js';
import { fireTimer, type TimerFiringDeps } from './timer-firing.js';
import { ReplyApplier } from './reply-applier.js';
import type { SpecRegistry } from './spec-registry.js';
import type { StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';
import type { Tracing } from '../tracing/tracing.js';

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
  /** Why a record cannot go to an egress (see `ReplyContext.egressRecordProblem`). */
  readonly egressRecordProblem?: ((id: string, value: StoredValue) => string | undefined) | undefined;
  readonly onEgress?: (records: readonly EgressAppend[]) => void;
  /** Whether this process owns a key group (cluster mode: it changes). */
  readonly owns: (keyGroup: number) => boolean;
  /** Where the backlog is read from (cluster mode: the key groups this process owns). */
  readonly inbox: InboxSource;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing?: Tracing | undefined;
  /** The dead-letter limits of a function type's policy; `undefined`: its batches stall, never dropped. */
  readonly deadLetterPolicy?: ((type: string) => DeadLetterLimits | undefined) | undefined;
}

/** Routes messages to mailboxes and runs invocations. */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #log: Logger;
  readonly #memory: MailboxMemory;
  readonly #mailboxes: Map<string, Mailbox>;
  readonly #runner: MailboxRunner;
  readonly #timerFiring: TimerFiringDeps;
  #abort = new AbortController();
  #draining = false;
  #resetting = false;
  readonly #applier: ReplyApplier;
  readonly #invoker: BatchInvoker;

  constructor(deps: DispatcherDeps, options: DispatcherOptions) {
    this.#deps = deps;
    this.#log = deps.log.child({ component: 'dispatcher' });
    this.#timerFiring = { ...deps, keyGroups: options.keyGroups, deliver: (m) => this.deliver(m) };
    this.#memory = new MailboxMemory(
      {
        log: this.#log,
        clock: deps.clock,
        committer: deps.committer,
        resolver: deps.resolver,
        inbox: deps.inbox,
        schedule: (mb) => this.#runner.schedule(mb),
        isAccepting: () => !this.#abort.signal.aborted && !this.#resetting,
        isActive: () => this.#isActive(),
      },
      {
        memory: options.memory,
        windowMessages: options.windowMessages,
        pageMessages: options.pageMessages ?? 1_000,
      },
    );
    this.#mailboxes = this.#memory.mailboxes;
    this.#applier = new ReplyApplier(
      {
        ...deps,
        isBound: (type) => deps.resolver.resolve(type) !== undefined,
        deliver: (message) => this.deliver(message),
        onConsumed: (seqs) => this.#memory.tracker.consumed(seqs),
      },
      { keyGroups: options.keyGroups },
    );
    this.#invoker = new BatchInvoker(
      { ...deps, log: this.#log, applier: this.#applier },
      { backoff: options.backoff },
    );
    this.#runner = new MailboxRunner(
      {
        ...deps,
        log: this.#log,
        memory: this.#memory,
        invoker: this.#invoker,
        deadLettering: new DeadLettering({
          ...deps,
          log: this.#log,
          onConsumed: (seqs) => this.#memory.tracker.consumed(seqs),
        }),
        signal: () => this.#abort.signal,
        isDraining: () => this.#draining,
        isResetting: () => this.#resetting,
      },
      options,
    );
  }

  /** Messages held in memory (waiting or in flight; failing addresses hold none). */
  get messageCount(): number {
    const { budget } = this.#memory;
    return budget.messages - budget.waits;
  }

  /** Bytes of the messages held in memory (estimated). */
  get memoryBytes(): number {
    return this.#memory.budget.messageBytes;
  }

  /** Invocations in flight. */
  get inFlight(): number {
    return this.#runner.inFlight;
  }

  /** Addresses that are stalled, oldest first. */
  stalled(): StallInfo[] {
    const out: StallInfo[] = [];
    for (const mb of this.#mailboxes.values()) {
      if (mb.stall !== undefined) out.push({ address: mb.address, ...mb.stall });
    }
    return out.sort((a, b) => a.since - b.since);
  }

  /**
   * Lets a stalled address attempt now instead of after its backoff (the console's "retry now"), or moves its
   * failing batch to the dead letters at its next turn (`then: 'dead-letter'`, "move to dead letters").
   *
   * @returns `retrying` when its wait was cut short, `attempting` when an attempt already runs or waits for a
   *   slot, `undefined` when the address is not stalled in this process.
   */
  retryNow(
    address: FunctionAddress,
    then: 'retry' | 'dead-letter' = 'retry',
  ): 'retrying' | 'attempting' | undefined {
    const mb = this.#mailboxes.get(addressKey(address));
    if (mb?.stall === undefined) return undefined;
    // Moved at its next turn, without another call: now when it waits, after the attempt in flight otherwise
    // (unless that attempt succeeds).
    if (then === 'dead-letter') mb.deadLetterRequested = true;
    if (!this.#memory.waiting.isRetrying(mb)) return 'attempting';
    this.#memory.waiting.stopRetrying(mb);
    this.#runner.schedule(mb);
    return 'retrying';
  }

  /** Messages held in memory per function type. */
  backlogByType(): Map<string, number> {
    return this.#memory.countByType((mb) => mb.pending.length + mb.inFlight);
  }

  /** Stalled addresses per function type. */
  stalledByType(): Map<string, number> {
    return this.#memory.countByType((mb) => (mb.stall === undefined ? 0 : 1));
  }

  /**
   * Adds a committed (or speculatively produced) message to its address's mailbox, or leaves it in the store
   * (which has it, or will once its commit is done) when memory is short.
   */
  deliver(message: PendingMessage): void {
    this.#memory.offer(message, 'live');
  }

  /**
   * Delivers messages read from the store (cluster mode: messages other processes added), skipping those in
   * memory already.
   */
  async deliverStored(read: () => Promise<StoredMessage[]>): Promise<void> {
    for (const m of await this.#memory.scanner.read(read)) {
      if (this.#deps.owns(m.keyGroup)) this.deliver(pendingFromStored(m));
    }
  }

  /** Reads every pending message of the owned key groups again, as memory allows (recovery, acquired key groups). */
  rescan(acquired?: Iterable<number>): void {
    this.#memory.scanner.rescan(acquired);
  }

  /**
   * Stops starting batches, lets in-flight invocations finish for up to `graceMs`, then abandons the rest
   * (their messages stay in the store and run again after a restart).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#draining = true;
    const all = this.#runner.settled();
    const { clock } = this.#deps;
    let timer: TimerHandle | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, graceMs)))]);
    if (timer !== undefined) clock.clearTimeout(timer);
    this.#abort.abort();
    this.#deps.client.abortInFlight();
    await this.#runner.settled();
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
      this.#memory.dropPending(mb);
      mb.spilled = false;
      this.#memory.waiting.unpark(mb);
      if (!mb.running) this.#memory.forget(mb);
    }
    this.#runner.forgetWaiting((mb) => keyGroups.has(mb.keyGroup));
    this.#memory.tracker.dropKeyGroups(keyGroups);
    this.#memory.readBacklog();
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
      this.#runner.clearWaiting();
      this.#deps.client.abortInFlight();
      await this.#runner.settled();
      this.#memory.clear();
      this.#runner.clear();
    } finally {
      this.#resetting = false;
    }
  }

  /** Fires a due delayed message (see `timer-firing.ts`); a reset or close meanwhile voids it. */
  fireTimer(timer: StoredTimer): void {
    const signal = this.#abort.signal;
    fireTimer(this.#timerFiring, timer, () => signal.aborted || this.#resetting);
  }

  #isActive(): boolean {
    return !this.#abort.signal.aborted && !this.#resetting && !this.#draining;
  }
}
