/**
 * A token bucket: `burst` requests at once, refilled at `perSecond`. One bucket per API token (`rate` and `burst`
 * in the tokens file); a request that finds the bucket empty is refused with how long until a token is back.
 */

/** A rate as the tokens file writes it, e.g. `100/s`, `600/m`, `1000/h`. */
export const RATE_PATTERN = /^(\d+(?:\.\d+)?)\/([smh])$/u;

const SECONDS_PER: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/**
 * Parses a rate.
 *
 * @param rate - e.g. `100/s`.
 * @returns requests per second, or `undefined` when `rate` is not `<number>/<s|m|h>` or is zero.
 */
export function parseRate(rate: string): { readonly perSecond: number; readonly count: number } | undefined {
  const match = RATE_PATTERN.exec(rate);
  if (match === null) return undefined;
  const count = Number(match[1]);
  if (!(count > 0)) return undefined;
  return { perSecond: count / SECONDS_PER[match[2]!]!, count };
}

/** A token bucket on an injected clock (epoch milliseconds). */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * @param perSecond - refill rate, requests per second (> 0).
   * @param burst - capacity, requests (≥ 1); the bucket starts full.
   * @param now - the clock.
   */
  constructor(perSecond: number, burst: number, now: () => number) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /**
   * Takes one token.
   *
   * @returns `undefined` when taken, or else the whole seconds (≥ 1) until a token is back (`Retry-After`).
   */
  take(): number | undefined {
    const now = this.#now();
    // A clock that stepped back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs / 1000));
  }
}
