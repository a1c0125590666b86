/**
 * Bounds how often one kind of log line is written: thousands of addresses failing together must not flood
 * the log with one line each. Each key may write `perWindow` lines per window; the lines left out are counted
 * and reported with the next line that is written.
 */
import type { Clock } from './clock.js';

/** How many lines per key, per window. */
export interface LogThrottleOptions {
  readonly perWindow: number;
  readonly windowMs: number;
}

interface KeyWindow {
  start: number;
  written: number;
  suppressed: number;
}

/** Keys are few (a function type and a kind of line): at most this many are remembered. */
const MAX_KEYS = 10_000;

/** A per-key budget of log lines. */
export class LogThrottle {
  readonly #clock: Clock;
  readonly #options: LogThrottleOptions;
  readonly #windows = new Map<string, KeyWindow>();

  constructor(
    deps: { readonly clock: Clock },
    options: LogThrottleOptions = { perWindow: 5, windowMs: 10_000 },
  ) {
    this.#clock = deps.clock;
    this.#options = options;
  }

  /**
   * Whether a line of `key` may be written now.
   *
   * @returns `undefined` when it is left out (and counted), else how many were left out before it.
   */
  take(key: string): { readonly suppressed: number } | undefined {
    const now = this.#clock.now();
    let w = this.#windows.get(key);
    if (w === undefined) {
      if (this.#windows.size >= MAX_KEYS) this.#windows.clear();
      w = { start: now, written: 0, suppressed: 0 };
      this.#windows.set(key, w);
    } else if (now - w.start >= this.#options.windowMs) {
      w.start = now;
      w.written = 0;
    }
    if (w.written >= this.#options.perWindow) {
      w.suppressed += 1;
      return undefined;
    }
    w.written += 1;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return { suppressed };
  }
}
