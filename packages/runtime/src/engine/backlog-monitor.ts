/**
 * The durable backlog per function type: pending messages in the store and the age of the oldest, read from
 * the store now and then (cluster mode: of the key groups this process owns). Between reads, accepted
 * ingress counts on top, so a per-type limit holds without a read per request. Reads are spaced by at least
 * twenty times their own duration, so a huge backlog never keeps the store busy counting it.
 *
 * A read runs while ingress goes on, and its snapshot may miss what commits meanwhile: the count it leaves is
 * the snapshot plus the ingress not committed yet and the ingress committed while it ran (which the snapshot
 * may hold already: the count errs high until the next read, never low, so a limit is never overshot).
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { InboxStats, Store } from '../store/store.js';

/** The backlog of one function type. */
export interface TypeBacklog {
  /** Pending messages (store count at the last read, plus ingress accepted since). */
  readonly messages: number;
  /** Epoch milliseconds of the oldest pending message, at the last read. */
  readonly oldestEnqueuedAt: number;
}

/** A type's backlog as the monitor keeps it: updated in place for every message (no object per message). */
interface MutableBacklog {
  messages: number;
  oldestEnqueuedAt: number;
}

/** Collaborators of the monitor. */
export interface BacklogMonitorDeps {
  readonly store: Pick<Store, 'inboxStats'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** The key groups whose backlog counts (cluster mode: the owned ones); all when `undefined`. */
  readonly keyGroupFilter: () => readonly number[] | undefined;
}

/** Settings of the monitor. */
export interface BacklogMonitorOptions {
  /** Shortest time between reads, ms. */
  readonly minIntervalMs: number;
}

/** Keeps the durable backlog per function type. */
export class BacklogMonitor {
  readonly #deps: BacklogMonitorDeps;
  readonly #options: BacklogMonitorOptions;
  #byType = new Map<string, MutableBacklog>();
  #timer: ReturnType<Clock['setTimeout']> | undefined;
  #stopped = false;
  #reading: Promise<void> | undefined;
  // Ingress counted by added() whose commit has not ended yet, per type.
  readonly #uncommitted = new Map<string, number>();
  // Ingress committed while a read runs, per type (undefined between reads).
  #committedDuringRead: Map<string, number> | undefined;

  constructor(deps: BacklogMonitorDeps, options: BacklogMonitorOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /** Reads at once, then keeps reading in the background until {@link BacklogMonitor.stop}. */
  start(): void {
    this.#schedule(0);
  }

  /** Stops reading; waits for a read in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    await this.#reading?.catch(() => undefined);
  }

  /** The backlog per function type (types with none are absent). */
  byType(): ReadonlyMap<string, TypeBacklog> {
    return this.#byType;
  }

  /** Pending messages of one function type. */
  messagesOf(type: string): number {
    return this.#byType.get(type)?.messages ?? 0;
  }

  /** Counts an ingress message accepted for `type`, before its commit; its commit's end is reported next. */
  added(type: string): void {
    bump(this.#uncommitted, type, 1);
    addMessages(this.#byType, type, 1, this.#deps.clock.now());
  }

  /** The commit of a message counted by {@link BacklogMonitor.added} enqueued it. */
  enqueued(type: string): void {
    bump(this.#uncommitted, type, -1);
    if (this.#committedDuringRead !== undefined) bump(this.#committedDuringRead, type, 1);
  }

  /** Takes back a count of {@link BacklogMonitor.added} for a message that was not enqueued after all. */
  notEnqueued(type: string): void {
    bump(this.#uncommitted, type, -1);
    addMessages(this.#byType, type, -1, this.#deps.clock.now());
  }

  /** Reads the backlog from the store now (shares a read in progress). */
  refresh(): Promise<void> {
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #read(): Promise<void> {
    const committed = new Map<string, number>();
    this.#committedDuringRead = committed;
    let stats: InboxStats[];
    try {
      stats = await this.#deps.store.inboxStats(this.#deps.keyGroupFilter());
    } finally {
      this.#committedDuringRead = undefined;
    }
    const byType = new Map<string, MutableBacklog>(
      stats.map((s) => [s.functionType, { messages: s.messages, oldestEnqueuedAt: s.oldestEnqueuedAt }]),
    );
    const now = this.#deps.clock.now();
    for (const counts of [this.#uncommitted, committed]) {
      for (const [type, n] of counts) addMessages(byType, type, n, now);
    }
    this.#byType = byType;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.clock.setTimeout(() => {
      const started = performance.now();
      this.refresh()
        .catch((err: unknown) => this.#deps.log.warn({ err }, 'counting the backlog failed; retrying'))
        .finally(() => {
          const tookMs = performance.now() - started;
          this.#schedule(Math.max(this.#options.minIntervalMs, 20 * tookMs));
        });
    }, delayMs);
  }
}

/** Adds `delta` messages to a type's backlog (never below 0); a type new to it has its oldest message `now`. */
function addMessages(byType: Map<string, MutableBacklog>, type: string, delta: number, now: number): void {
  const current = byType.get(type);
  if (current !== undefined) current.messages = Math.max(0, current.messages + delta);
  else if (delta > 0) byType.set(type, { messages: delta, oldestEnqueuedAt: now });
}

/**
 * Adds `delta` to a count per type. A count that reaches 0 stays (0 adds nothing where counts are summed): the
 * types are the served ones, and deleting and re-adding a key for every message churns the map.
 */
function bump(counts: Map<string, number>, type: string, delta: number): void {
  counts.set(type, (counts.get(type) ?? 0) + delta);
}
