/**
 * Time, injectable: the engine reads the time and sets its timers through a {@link Clock}, so that a test moves
 * a {@link ManualClock} forward instead of sleeping, and proves that something does *not* happen before its time
 * without waiting for it.
 */

declare const timerHandle: unique symbol;

/** A timer set with {@link Clock.setTimeout}; only good for {@link Clock.clearTimeout} of the same clock. */
export interface TimerHandle {
  readonly [timerHandle]: true;
}

/**
 * The wall clock and timers the runtime runs on.
 *
 * A clock's timers never keep the process alive (they are `unref`'d): what they serve (the HTTP server, the
 * store's connections) does.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (at once if `ms` is not positive). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op when it already fired or was cancelled. */
  clearTimeout(handle: TimerHandle): void;
}

/** The process's clock: `Date.now()` and Node's timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): TimerHandle => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as unknown as NodeJS.Timeout),
});

/**
 * Waits `ms` on `clock`.
 *
 * @returns a promise that resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that stands still until a test moves it: {@link ManualClock.advance} fires the timers that fall due,
 * in order of their due time (timers due at the same time in the order they were set), each with `now()` at its
 * due time.
 *
 * @example
 * const clock = new ManualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 100);
 * clock.advance(99); // fired: []
 * clock.advance(1); // fired: [100]
 */
export class ManualClock implements Clock {
  readonly #timers = new Map<number, ManualTimer>();
  #now: number;
  #seq = 0;

  /** @param startMs - the time it shows first, epoch ms. @default 0 */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = ++this.#seq;
    this.#timers.set(seq, { at: this.#now + (ms > 0 ? ms : 0), seq, fn });
    return seq as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  /** Timers set and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer falls due, epoch ms; `undefined` when none is set. */
  get nextTimerAt(): number | undefined {
    return this.#next(Infinity)?.at;
  }

  /**
   * Moves time forward by `ms` (time never goes back: a negative `ms` counts as 0), firing every timer that
   * falls due meanwhile, also timers that those timers set.
   *
   * @returns how many timers fired.
   */
  advance(ms: number): number {
    const target = this.#now + (ms > 0 ? ms : 0);
    let fired = 0;
    for (let t = this.#next(target); t !== undefined; t = this.#next(target)) {
      this.#timers.delete(t.seq);
      this.#now = Math.max(this.#now, t.at);
      fired += 1;
      t.fn();
    }
    this.#now = target;
    return fired;
  }

  /** The earliest timer due at or before `until`. */
  #next(until: number): ManualTimer | undefined {
    let first: ManualTimer | undefined;
    for (const t of this.#timers.values()) {
      if (
        t.at <= until &&
        (first === undefined || t.at < first.at || (t.at === first.at && t.seq < first.seq))
      )
        first = t;
    }
    return first;
  }
}
