/**
 * What the mailboxes hold in memory, and the way the rest comes back from the store: each address keeps a
 * window of its messages within the memory budget (`memory-budget.ts`, half of it at most per function type);
 * an address whose window is full is *spilled* and pages its messages in, in seq order, once its window is
 * empty; messages of addresses not in memory are read by the scanner (`backlog-scanner.ts`) as memory frees.
 * Failing addresses give their messages back to the store between attempts (`waiting-addresses.ts`).
 */
import type { Logger } from 'pino';
import { addressKey } from '../core/address.js';
import type { Clock } from '../core/clock.js';
import type { EndpointResolver } from '../invoke/resolved-endpoint.js';
import { BacklogScanner, type InboxSource, type Offered } from './backlog-scanner.js';
import type { Committer } from './committer.js';
import { InboxTracker } from './inbox-tracker.js';
import { createMailbox, type Mailbox } from './mailbox.js';
import { MemoryBudget, type MemoryBudgetOptions } from './memory-budget.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { WaitingAddresses } from './waiting-addresses.js';

/** Collaborators of the mailbox memory. */
export interface MailboxMemoryDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly committer: Pick<Committer, 'flush'>;
  readonly resolver: EndpointResolver;
  /** Where the backlog is read from (cluster mode: the key groups this process owns). */
  readonly inbox: InboxSource;
  /** Lets a mailbox run (the dispatcher's scheduling). */
  readonly schedule: (mb: Mailbox) => void;
  /** Whether messages may be taken in (not reset or closed). */
  readonly isAccepting: () => boolean;
  /** Whether reading from the store may go on (also not draining). */
  readonly isActive: () => boolean;
}

/** Settings of the mailbox memory. */
export interface MailboxMemoryOptions {
  /** Messages and bytes the mailboxes hold in memory at most; the rest waits in the store. */
  readonly memory: MemoryBudgetOptions;
  /** Messages of one address held in memory at most (besides its batch in flight); two batches when fewer. */
  readonly windowMessages: number;
  /** Messages per read of the backlog from the store. */
  readonly pageMessages: number;
}

/** The mailboxes, what they hold in memory, and the paths from the store into them. */
export class MailboxMemory {
  readonly #deps: MailboxMemoryDeps;
  readonly #options: MailboxMemoryOptions;
  /** The mailboxes in memory, by address key. */
  readonly mailboxes = new Map<string, Mailbox>();
  readonly budget: MemoryBudget;
  readonly tracker = new InboxTracker();
  readonly scanner: BacklogScanner;
  /** Spilled addresses waiting for memory to page their messages in, and failing ones waiting to retry. */
  readonly waiting: WaitingAddresses;

  constructor(deps: MailboxMemoryDeps, options: MailboxMemoryOptions) {
    this.#deps = deps;
    this.#options = options;
    this.budget = new MemoryBudget(options.memory);
    this.waiting = new WaitingAddresses({
      clock: deps.clock,
      onRetry: (mb) => {
        if (this.mailboxes.get(mb.key) === mb) deps.schedule(mb);
        // The wait's count left the budget: parked addresses may have room now.
        this.readBacklog();
      },
    });
    this.scanner = new BacklogScanner(
      {
        inbox: deps.inbox,
        tracker: this.tracker,
        log: deps.log,
        hasRoom: () => this.budget.isBelowLowWater(),
        clock: deps.clock,
        flush: () => deps.committer.flush(),
        offer: (m) => this.offer(pendingFromStored(m), 'scan'),
        isActive: () => deps.isActive(),
      },
      { pageSize: options.pageMessages },
    );
  }

  /** Sums `count` over the mailboxes per function type (every type in memory is present, also with 0). */
  countByType(count: (mb: Mailbox) => number): Map<string, number> {
    const out = new Map<string, number>();
    for (const mb of this.mailboxes.values()) {
      const n = count(mb);
      if (n > 0 || !out.has(mb.address.type)) out.set(mb.address.type, (out.get(mb.address.type) ?? 0) + n);
    }
    return out;
  }

  /** Forgets every mailbox and message (after a reset; the caller reads the store again). */
  clear(): void {
    this.mailboxes.clear();
    this.waiting.clear();
    this.budget.clear();
    this.tracker.clear();
    this.scanner.reset();
  }

  /**
   * Takes a message into its mailbox, or leaves it in the store. A live message of an address not in memory
   * waits in the store while the scanner is behind, so that it cannot overtake an earlier one left there.
   */
  offer(message: PendingMessage, from: 'live' | 'scan' | 'page'): Offered {
    if (!this.#deps.isAccepting()) return 'skipped';
    const key = addressKey(message.target);
    const type = message.target.type;
    let mb = this.mailboxes.get(key);
    // While the scanner is behind, an address may have earlier messages in the store that it has not read yet,
    // even when the address is in memory: a live message then waits in the store too (scan or page-in).
    const behind = from === 'live' && this.scanner.isBehindFor(type);
    if (from === 'page') {
      // A failing address's probe takes the place of its wait (see pageIn).
      const room = mb?.failing !== undefined ? this.budget.hasRoom() : this.budget.hasRoomFor(type);
      if (!room) return 'full';
    } else if (mb === undefined) {
      if (behind || !this.budget.hasRoomFor(type)) return this.#leaveInStore(message, from);
    } else if (behind || mb.spilled || mb.pending.length >= mb.window || !this.budget.hasRoomFor(type)) {
      // The store has it: the address pages its messages in, in seq order, once its window is empty.
      if (mb.paging) mb.droppedWhilePaging = true;
      mb.spilled = true;
      return 'skipped';
    }
    if (!this.tracker.delivered(message.source.seq, message.keyGroup)) return 'skipped';
    if (mb === undefined) {
      mb = createMailbox(message, this.#windowOf(message.target.type));
      this.mailboxes.set(key, mb);
    }
    mb.pending.push(message);
    this.budget.add(message);
    this.#deps.schedule(mb);
    return 'taken';
  }

  /**
   * Leaves a message of an address not in memory in the store, for the scan to come back to: when memory is
   * full, the scan stops and every live message waits behind it; when only its function type holds its share,
   * that type alone waits.
   */
  #leaveInStore(message: PendingMessage, from: 'live' | 'scan'): Offered {
    const memoryFull = !this.budget.hasRoom();
    if (from === 'scan') return memoryFull ? 'full' : 'typeFull';
    if (memoryFull || this.scanner.blocksAll) {
      this.scanner.leftInStore(message.source.seq, message.target);
      this.scanner.kick();
    } else this.scanner.leftInStoreOfType(message.target.type, message.source.seq, message.target);
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
  readBacklog(): void {
    // This runs after every batch; usually nothing is parked and no type is short of room.
    if (this.waiting.anyParked || this.scanner.anyTypeLeft) {
      const hasRoom = (type: string): boolean =>
        this.budget.isBelowLowWater() && this.budget.isBelowLowWaterFor(type);
      this.waiting.unparkWhere(hasRoom, (mb) => this.#deps.schedule(mb));
      for (const type of [...this.scanner.typesLeft()]) if (hasRoom(type)) this.scanner.typeHasRoom(type);
    }
    this.scanner.kick();
  }

  /** Drops an address's waiting messages from memory; they stay in the store. */
  dropPending(mb: Mailbox): void {
    if (mb.pending.length === 0) return;
    this.budget.remove(mb.pending);
    this.tracker.forget(mb.pending.map((m) => m.source.seq));
    mb.pending = [];
  }

  /** Removes a mailbox from memory (its messages, if any, are in the store). */
  forget(mb: Mailbox): void {
    this.mailboxes.delete(mb.key);
    this.waiting.unpark(mb);
    this.waiting.stopRetrying(mb);
    this.recovered(mb);
  }

  /**
   * A failing address succeeded (or is forgotten): it no longer counts against its type's share, which may let
   * other addresses of the type in.
   */
  recovered(mb: Mailbox): void {
    if (!mb.countsAsFailing) return;
    mb.countsAsFailing = false;
    this.budget.removeWaiting(mb.address.type);
  }

  /**
   * A failing address lets go of its batch and waiting messages (they are in the store) and attempts again
   * after `delayMs`, paging them in again: failing addresses hold no messages and no invocation slot between
   * attempts. From its first failure until it succeeds it counts as one message of its type's share, so a type
   * keeps at most its share of failing addresses in memory, whatever they are doing (waiting, parked, queued).
   */
  release(mb: Mailbox, batch: readonly PendingMessage[], delayMs: number): void {
    if (!mb.countsAsFailing) {
      mb.countsAsFailing = true;
      this.budget.addWaiting(mb.address.type);
    }
    this.budget.remove(batch);
    this.tracker.forget(batch.map((m) => m.source.seq));
    this.dropPending(mb);
    mb.spilled = true;
    this.waiting.retryLater(mb, delayMs);
    this.readBacklog();
  }

  /** A batch is done: its messages leave memory, which may let the backlog in. */
  consumed(batch: readonly PendingMessage[]): void {
    this.budget.remove(batch);
    this.readBacklog();
  }

  /**
   * Pages a spilled address's messages in from the store, in seq order.
   *
   * @returns false when memory is short (the address is parked until it frees) or the runtime stops.
   */
  async pageIn(mb: Mailbox): Promise<boolean> {
    // A failing address's probe takes the place of its wait, which counted as one message of its type: only
    // memory as a whole may hold it back (else a type whose share is full of waits would never probe).
    const typeShort = mb.failing === undefined && !this.budget.isBelowLowWaterFor(mb.address.type);
    if (!this.budget.isBelowLowWater() || typeShort) {
      this.waiting.park(mb);
      return false;
    }
    mb.paging = true;
    mb.droppedWhilePaging = false;
    try {
      // A drain pages thousands of addresses in, one synchronous store read each: let the event loop serve
      // requests between them (one long chain of promise callbacks froze the API for seconds).
      await new Promise<void>((resolve) => setImmediate(resolve));
      // What was left in the store is committed (or fails, and everything resets) before the read.
      await this.#deps.committer.flush();
      // A failing address probes with one message: it reads and holds no more than that until it recovers.
      const limit =
        mb.failing !== undefined
          ? 1
          : Math.max(1, Math.min(mb.window, this.budget.messagesLeftFor(mb.address.type)));
      let raw = 0;
      const rows = await this.scanner.read(async () => {
        const read = await this.#deps.inbox.ofAddress(mb.address, limit);
        raw = read.length;
        return read;
      });
      if (!this.#deps.isActive()) return false;
      // A full read may have more behind it (also when some of it was in memory already).
      mb.spilled = raw >= limit || mb.droppedWhilePaging;
      let taken = 0;
      for (const m of rows) {
        // Memory may have filled while the read ran: what does not fit stays in the store.
        if (this.offer(pendingFromStored(m), 'page') !== 'taken') {
          mb.spilled = true;
          break;
        }
        taken += 1;
      }
      // Nothing fitted: wait for memory to free instead of reading again at once.
      if (taken === 0 && rows.length > 0) {
        this.waiting.park(mb);
        return false;
      }
      return true;
    } finally {
      mb.paging = false;
    }
  }
}
