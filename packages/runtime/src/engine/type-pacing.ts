/**
 * Paces the retries of a function type that keeps failing. Each failing address already backs off on its own,
 * but a type with 100,000 failing addresses would still make thousands of failed calls a second, and the
 * CPU they take slows every other type. Once `failuresToTrip` attempts of a type failed in a row (over all its
 * addresses, with no success between), its retries are spread to at most `attemptsPerSecond`; the first
 * success of the type ends it (and its waiting addresses are woken, see `waiting-addresses.ts`).
 */
import type { Clock } from '../core/clock.js';

/** When pacing starts, and how fast a failing type retries then. */
export interface TypePacingOptions {
  readonly failuresToTrip: number;
  readonly attemptsPerSecond: number;
}

interface TypeState {
  failures: number;
  // The next free retry time of the type, epoch ms (spread `1000 / attemptsPerSecond` apart).
  nextAt: number;
}

/** Failures in a row per function type, and the retry times handed out while a type fails. */
export class TypePacing {
  readonly #clock: Clock;
  readonly #options: TypePacingOptions;
  readonly #types = new Map<string, TypeState>();

  constructor(deps: { readonly clock: Clock }, options: TypePacingOptions) {
    this.#clock = deps.clock;
    this.#options = options;
  }

  /** Whether `type` fails often enough that its retries are paced. */
  isPaced(type: string): boolean {
    return (this.#types.get(type)?.failures ?? 0) >= this.#options.failuresToTrip;
  }

  /**
   * An attempt of `type` failed.
   *
   * @returns how long its address must wait at least before it retries, ms (0 while the type is not paced).
   */
  failed(type: string): number {
    const now = this.#clock.now();
    let state = this.#types.get(type);
    if (state === undefined) this.#types.set(type, (state = { failures: 0, nextAt: now }));
    state.failures += 1;
    if (state.failures < this.#options.failuresToTrip) return 0;
    const at = Math.max(state.nextAt, now);
    state.nextAt = at + 1000 / this.#options.attemptsPerSecond;
    return at - now;
  }

  /** An attempt of `type` succeeded: it is not paced any more. */
  succeeded(type: string): void {
    this.#types.delete(type);
  }

  /** Forgets every type (after a reset). */
  clear(): void {
    this.#types.clear();
  }
}
