/** Exponential backoff with jitter inside a call budget, as in the reference's async transport. */

/** Backoff settings. */
export interface BackoffOptions {
  /** First backoff, ms. @default 2 */
  readonly initialMs: number;
  /** Largest backoff while inside the call budget, ms. @default 1000 */
  readonly maxMs: number;
  /** Largest backoff once the address is stalled (budget spent), ms. @default 10000 */
  readonly stalledMaxMs: number;
}

/**
 * Default backoff settings before an address stalls (the cap once stalled is the runtime's `stalledRetryMaxMs`
 * option, whose default lives with the other options).
 */
export const DEFAULT_BACKOFF: Omit<BackoffOptions, 'stalledMaxMs'> = Object.freeze({
  initialMs: 2,
  maxMs: 1_000,
});

/**
 * The delay before the next attempt: `initial · 2^attempt`, capped, with ±25 % jitter so that many addresses
 * failing together do not retry in lock step.
 *
 * @param attempt - attempts made so far (≥ 1).
 * @param capMs - the cap.
 * @param options - backoff settings.
 * @returns milliseconds to wait.
 */
export function backoffDelay(
  attempt: number,
  capMs: number,
  options: Pick<BackoffOptions, 'initialMs'> = DEFAULT_BACKOFF,
): number {
  const base = Math.min(capMs, options.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.round(base * (0.75 + Math.random() * 0.5)));
}
