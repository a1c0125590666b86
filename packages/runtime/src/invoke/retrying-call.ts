/**
 * Retry, backoff and stall policy of one batch (StateFun: `RetryingCallback`). Attempts share the call budget;
 * once it is spent the address is *stalled*: it is retried, each attempt with the whole budget, with a longer
 * backoff cap, until it succeeds. Nothing is dropped.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { StatehouseError } from '../errors.js';
import { backoffDelay, type BackoffOptions } from './retry-policy.js';

/** Why the last attempt of a stalled address failed. */
export interface CallFailure {
  readonly code: string;
  readonly message: string;
}

/** A stalled address's record: since when, how many attempts, the last error. */
export interface Stall {
  readonly since: number;
  readonly attempts: number;
  readonly batchSize: number;
  readonly lastError: CallFailure;
}

/** The retry state an address keeps across batches (a stall lasts until one attempt succeeds). */
export interface RetrySubject {
  stall: Stall | undefined;
  /** Ends a backoff early (the key group was handed over, or the runtime resets). */
  wake: (() => void) | undefined;
}

/** What one attempt answers: done, stop (cancelled: nothing applied), or run again at once. */
export type AttemptOutcome = 'done' | 'cancelled' | 'again';

/** Settings of one batch's retries. */
export interface RetryOptions {
  /** The call budget shared by attempts until the address stalls, ms. */
  readonly budgetMs: number;
  readonly backoff: BackoffOptions;
  readonly batchSize: number;
  /** The address, as logs name it (`ns/name/id`). */
  readonly label: string;
  /** Aborts backoffs (reset, shutdown). */
  readonly signal: AbortSignal;
  /** What the budget and stalls are timed by. */
  readonly clock: Clock;
}

/** What the retry loop reports to, and asks of, the dispatcher. */
export interface RetryHooks {
  /** The logger of the address (created on first use). */
  log(): Logger;
  /** Whether a failed attempt should end the loop instead of being retried (shutting down, reset). */
  isStopping(): boolean;
  /** An attempt failed with this code (metrics). */
  onFailure(code: string): void;
  /** A stalled address waits for its next attempt: its invocation slot can serve others meanwhile. */
  onStalledWait(): void;
  /** A stalled address attempts again. */
  onStalledRetry(): void;
}

/**
 * Runs `attempt` until it answers `done` (→ true) or `cancelled` (→ false), or a failure arrives while
 * stopping (→ false). A thrown error is a failed attempt.
 *
 * @param attempt - one attempt; gets its number (from 1) and the milliseconds it may take.
 */
export async function callWithRetries(
  subject: RetrySubject,
  attempt: (n: number, remainingMs: number) => Promise<AttemptOutcome>,
  options: RetryOptions,
  hooks: RetryHooks,
): Promise<boolean> {
  const { budgetMs } = options;
  const { clock } = options;
  const started = clock.now();
  for (let n = 1; ; n += 1) {
    try {
      // Once stalled, every attempt gets the whole budget again; before, attempts share it.
      const remaining =
        subject.stall !== undefined ? budgetMs : Math.max(10, budgetMs - (clock.now() - started));
      const outcome = await attempt(n, remaining);
      if (outcome === 'again') continue;
      if (outcome === 'cancelled') return false;
      if (subject.stall !== undefined) {
        hooks.log().info({ attempts: n }, 'address recovered');
        subject.stall = undefined;
      }
      return true;
    } catch (err) {
      // While draining, a failed attempt is not retried: the batch runs again after a restart.
      if (options.signal.aborted || hooks.isStopping()) return false;
      const elapsed = clock.now() - started;
      recordFailure(subject, err, n, elapsed >= budgetMs, options, hooks);
      const cap =
        subject.stall !== undefined
          ? options.backoff.stalledMaxMs
          : Math.min(options.backoff.maxMs, Math.max(1, budgetMs - elapsed));
      await backOff(subject, backoffDelay(n, cap, options.backoff), options.signal, hooks);
    }
  }
}

function recordFailure(
  subject: RetrySubject,
  err: unknown,
  attempt: number,
  budgetSpent: boolean,
  options: RetryOptions,
  hooks: RetryHooks,
): void {
  const code = err instanceof StatehouseError ? err.code : 'ERR_ENGINE_UNEXPECTED';
  const lastError = { code, message: (err as Error).message };
  hooks.onFailure(code);
  const { batchSize } = options;
  if (subject.stall !== undefined) {
    subject.stall = { ...subject.stall, attempts: attempt, lastError };
  } else if (budgetSpent) {
    subject.stall = { since: options.clock.now(), attempts: attempt, batchSize, lastError };
    hooks
      .log()
      .error(
        { err, attempts: attempt, batchSize },
        `address ${options.label} is stalled: its batch keeps failing; it is retried until it succeeds`,
      );
  } else {
    hooks.log().warn({ err, attempt, batchSize }, 'invocation attempt failed; retrying');
  }
}

/** Waits out a backoff; a stalled address gives its invocation slot back meanwhile. */
async function backOff(
  subject: RetrySubject,
  delayMs: number,
  signal: AbortSignal,
  hooks: RetryHooks,
): Promise<void> {
  const stalled = subject.stall !== undefined;
  // A stalled address must not keep one of the bounded invocation slots while it waits: otherwise enough
  // stalled addresses would stop every other address.
  if (stalled) hooks.onStalledWait();
  await new Promise<void>((resolve) => {
    subject.wake = resolve;
    void sleep(delayMs, signal).then(resolve);
  });
  subject.wake = undefined;
  if (stalled) hooks.onStalledRetry();
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
