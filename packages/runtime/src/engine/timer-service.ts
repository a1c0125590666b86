/**
 * Arms committed delayed messages and hands them to the dispatcher when due. Timers live durably in the
 * store; this is the in-memory schedule (a binary heap by fire time) plus the token index used to cancel.
 */
import { addressKey } from '../core/address.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { StoredTimer, TimerCancellation } from '../store/store.js';

/** Receives timers that are due. */
export type TimerSink = (timer: StoredTimer) => void;

/** Collaborators of {@link TimerService}. */
export interface TimerServiceDeps {
  /** Receives timers that are due. */
  readonly sink: TimerSink;
  /** When timers are due, and what wakes the service. @default systemClock */
  readonly clock?: Clock;
}

// setTimeout cannot wait longer than 2^31-1 ms; far timers are re-checked at this interval.
const MAX_WAIT_MS = 2 ** 31 - 1;

/** Schedules delayed messages. */
export class TimerService {
  readonly #heap: StoredTimer[] = [];
  readonly #live = new Map<number, StoredTimer>();
  readonly #byToken = new Map<string, number>();
  readonly #sink: TimerSink;
  readonly #clock: Clock;
  // Timers cancelled after their token was reserved but before their commit armed them.
  readonly #cancelledBeforeArm = new Set<number>();
  #handle: TimerHandle | undefined;
  #nextAt = Infinity;
  #stopped = false;

  constructor(deps: TimerServiceDeps) {
    this.#sink = deps.sink;
    this.#clock = deps.clock ?? systemClock;
  }

  /** Pending timers. */
  get size(): number {
    return this.#live.size;
  }

  /** Whether a timer with this sender and token is pending (armed or waiting for its commit). */
  hasToken(sender: TimerCancellation['sender'], token: string): boolean {
    return this.#byToken.has(timerTokenKey(sender, token));
  }

  /** Reserves a token before its timer is committed, so a duplicate is detected at once. */
  reserveToken(timer: StoredTimer): void {
    if (timer.token !== undefined) this.#byToken.set(timerTokenKey(timer.sender, timer.token), timer.id);
  }

  /** Arms committed timers (or timers loaded at start). */
  arm(timers: readonly StoredTimer[]): void {
    for (const t of timers) {
      if (this.#cancelledBeforeArm.delete(t.id)) continue;
      this.#live.set(t.id, t);
      if (t.token !== undefined) this.#byToken.set(timerTokenKey(t.sender, t.token), t.id);
      push(this.#heap, t);
    }
    this.#reschedule();
  }

  /**
   * Cancels a pending timer of `sender` with `token`; a no-op when there is none (already fired, never sent,
   * or sent by another address).
   *
   * @returns the cancelled timer's id, if one was pending.
   */
  cancel(c: TimerCancellation): number | undefined {
    const key = timerTokenKey(c.sender, c.token);
    const id = this.#byToken.get(key);
    if (id === undefined) return undefined;
    this.#byToken.delete(key);
    if (!this.#live.delete(id)) this.#cancelledBeforeArm.add(id);
    return id;
  }

  /** Forgets the timers of key groups handed over to another process (they stay in the store). */
  dropKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const [id, t] of this.#live) {
      if (!keyGroups.has(t.keyGroup)) continue;
      this.#live.delete(id);
      this.#forgetToken(t);
    }
    this.#reschedule();
  }

  /** Forgets every timer (after a reset; the store still has them). */
  clear(): void {
    this.#live.clear();
    this.#byToken.clear();
    this.#cancelledBeforeArm.clear();
    this.#heap.length = 0;
    this.#reschedule();
  }

  /** Stops firing. */
  stop(): void {
    this.#stopped = true;
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #reschedule(): void {
    if (this.#stopped) return;
    const top = this.#peekLive();
    if (top === undefined) {
      if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
      this.#handle = undefined;
      this.#nextAt = Infinity;
      return;
    }
    if (this.#handle !== undefined && top.fireAt >= this.#nextAt) return;
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#nextAt = top.fireAt;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, top.fireAt - this.#clock.now()));
    this.#handle = this.#clock.setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    this.#handle = undefined;
    this.#nextAt = Infinity;
    const now = this.#clock.now();
    for (;;) {
      const top = this.#peekLive();
      if (top === undefined || top.fireAt > now) break;
      pop(this.#heap);
      this.#live.delete(top.id);
      this.#forgetToken(top);
      this.#sink(top);
    }
    this.#reschedule();
  }

  /** Frees a timer's token, unless a newer timer of the same sender reserved it meanwhile. */
  #forgetToken(t: StoredTimer): void {
    if (t.token === undefined) return;
    const key = timerTokenKey(t.sender, t.token);
    if (this.#byToken.get(key) === t.id) this.#byToken.delete(key);
  }

  #peekLive(): StoredTimer | undefined {
    while (this.#heap.length > 0 && !this.#live.has(this.#heap[0]!.id)) pop(this.#heap);
    return this.#heap[0];
  }
}

/**
 * The key of a pending delayed message's cancellation token: tokens are scoped to the sending address.
 *
 * @returns a string unique per (sender, token).
 */
export function timerTokenKey(sender: TimerCancellation['sender'], token: string): string {
  return `${addressKey(sender)}\u0000${token}`;
}

function less(a: StoredTimer, b: StoredTimer): boolean {
  return a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.id < b.id);
}

function push(heap: StoredTimer[], t: StoredTimer): void {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop(heap: StoredTimer[]): StoredTimer | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last !== undefined) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}
