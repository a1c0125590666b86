/**
 * Retry, backoff and stall policy of an address's batch (StateFun: `RetryingCallback`). Attempts share the
 * call budget, counted from the first failed attempt; once it is spent the address is *stalled*: it is retried,
 * each attempt with the whole budget, with a longer backoff cap, until it succeeds. Nothing is dropped, unless
 * the function type's policy sets dead-letter limits: a batch that reaches them is *exhausted*, and the caller
 * moves it to the dead letters (`engine/dead-lettering.ts`).
 *
 * A failed attempt never waits with its batch: it *releases* it (see {@link RetryResult}) and the address
 * attempts again after the backoff, reading the batch from the store again. So failing addresses hold neither
 * memory nor invocation slots between attempts, however many there are.
 */
import type { Logger } from 'pino';
import { formatAddress, type FunctionAddress } from '../core/address.js';
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

/** An address's failing streak: since its first failed attempt, how many attempts failed. */
export interface Failing {
  readonly since: number;
  readonly attempts: number;
}

/** The retry state an address keeps across attempts, until one succeeds. */
export interface RetrySubject {
  failing: Failing | undefined;
  stall: Stall | undefined;
}

/** What one attempt answers: done, stop (cancelled: nothing applied), or run again at once. */
export type AttemptOutcome = 'done' | 'cancelled' | 'again';

/** Settings of one batch's retries. */
export interface RetryOptions {
  /** The call budget shared by attempts until the address stalls, ms. */
  readonly budgetMs: number;
  readonly backoff: BackoffOptions;
  readonly batchSize: number;
  /** The address (logs name it `ns/name/id`). */
  readonly address: FunctionAddress;
  /** What the budget and stalls are timed by. */
  readonly clock: Clock;
  /** When the batch is given up on (its function type's dead-letter policy); `undefined`: never. */
  readonly deadLetterAfter?: DeadLetterLimits | undefined;
}

/** A dead-letter policy's limits: failed attempts, and time since the first failed attempt (ms). */
export interface DeadLetterLimits {
  readonly maxAttempts: number | undefined;
  readonly maxAgeMs: number | undefined;
}

/** What the retry policy reports to, and asks of, the dispatcher. */
export interface RetryHooks {
  /** The logger of the address (created on first use). */
  log(): Logger;
  /**
   * Whether a line of this kind may be written now (its function type's lines are rate-limited); `undefined`
   * to leave it out, else how many like it were left out before.
   */
  mayLog(kind: 'failed' | 'stalled' | 'recovered'): { readonly suppressed: number } | undefined;
  /** Whether a failed attempt should end the run instead of being retried (shutting down, reset). */
  isStopping(): boolean;
  /** An attempt failed with this code (metrics). */
  onFailure(code: string): void;
  /** The run ended, however it ended (the caller releases what its attempts held). */
  settled?(): void;
}

/**
 * How a run of a batch ended: done; cancelled (stopping, or the address moved away: nothing applied);
 * released: the attempt failed, and the address attempts again after `retryInMs`, reading its batch from the
 * store again; or exhausted: the attempt failed and the batch reached its dead-letter limits (the caller moves
 * it to the dead letters, or releases it for `retryInMs` when it cannot).
 */
export type RetryResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'released'; readonly retryInMs: number }
  | {
      readonly kind: 'exhausted';
      readonly retryInMs: number;
      readonly attempts: number;
      readonly lastError: CallFailure;
      /** An operator asked for the move (`POST /v1/stalled/…/dead-letter`), not the policy's limits. */
      readonly byOperator?: boolean;
    };

const DONE: RetryResult = Object.freeze({ kind: 'done' });
const CANCELLED: RetryResult = Object.freeze({ kind: 'cancelled' });

/**
 * Runs `attempt` until it answers `done` or `cancelled`, or fails (released; cancelled while stopping). A
 * thrown error is a failed attempt.
 *
 * @param attempt - one attempt; gets the milliseconds it may take.
 */
export async function callWithRetries(
  subject: RetrySubject,
  attempt: (remainingMs: number) => Promise<AttemptOutcome>,
  options: RetryOptions,
  hooks: RetryHooks,
): Promise<RetryResult> {
  const { budgetMs, clock } = options;
  const startedAt = clock.now();
  try {
    for (;;) {
      try {
        // Once stalled, every attempt gets the whole budget again; before, attempts share it.
        const since = subject.failing?.since ?? startedAt;
        const remaining =
          subject.stall !== undefined ? budgetMs : Math.max(10, budgetMs - (clock.now() - since));
        const outcome = await attempt(remaining);
        if (outcome === 'again') continue;
        if (outcome === 'cancelled') return CANCELLED;
        recovered(subject, hooks);
        return DONE;
      } catch (err) {
        // While draining, a failed attempt is not retried: the batch runs again after a restart.
        if (hooks.isStopping()) return CANCELLED;
        const retryInMs = recordFailure(subject, err, startedAt, options, hooks);
        if (isExhausted(subject.failing, options)) {
          const attempts = subject.failing?.attempts ?? 1;
          return { kind: 'exhausted', retryInMs, attempts, lastError: failureOf(err) };
        }
        return { kind: 'released', retryInMs };
      }
    }
  } finally {
    hooks.settled?.();
  }
}

/** Whether a failing streak reached the dead-letter limits (never without them). */
function isExhausted(failing: Failing | undefined, options: RetryOptions): boolean {
  const limits = options.deadLetterAfter;
  if (limits === undefined || failing === undefined) return false;
  if (limits.maxAttempts !== undefined && failing.attempts >= limits.maxAttempts) return true;
  return limits.maxAgeMs !== undefined && options.clock.now() - failing.since >= limits.maxAgeMs;
}

/** The code and message of a failed attempt. */
function failureOf(err: unknown): CallFailure {
  const code = err instanceof StatehouseError ? err.code : 'ERR_ENGINE_UNEXPECTED';
  return { code, message: (err as Error).message };
}

function recovered(subject: RetrySubject, hooks: RetryHooks): void {
  const may = subject.stall === undefined ? undefined : hooks.mayLog('recovered');
  if (subject.stall !== undefined && may !== undefined)
    hooks.log().info({ attempts: subject.stall.attempts + 1, ...similar(may) }, 'address recovered');
  subject.stall = undefined;
  subject.failing = undefined;
}

/** The log fields that say how many lines like this one were left out before it. */
function similar(may: { readonly suppressed: number }): { suppressedSimilar?: number } {
  return may.suppressed > 0 ? { suppressedSimilar: may.suppressed } : {};
}

/**
 * Counts a failed attempt; the address stalls once the budget is spent. Logs the first failure of a streak and
 * the stall, not every attempt, and a few such lines per function type and interval (thousands of failing
 * addresses must not flood the log; the lines left out are counted in the next one).
 *
 * @returns the backoff before the next attempt, ms.
 */
function recordFailure(
  subject: RetrySubject,
  err: unknown,
  startedAt: number,
  options: RetryOptions,
  hooks: RetryHooks,
): number {
  const { backoff, batchSize, clock } = options;
  const lastError = failureOf(err);
  const { code } = lastError;
  hooks.onFailure(code);
  const failing = {
    since: subject.failing?.since ?? startedAt,
    attempts: (subject.failing?.attempts ?? 0) + 1,
  };
  subject.failing = failing;
  const elapsed = clock.now() - failing.since;
  if (subject.stall !== undefined) {
    subject.stall = { ...subject.stall, attempts: failing.attempts, batchSize, lastError };
  } else if (elapsed >= options.budgetMs) {
    subject.stall = { since: clock.now(), attempts: failing.attempts, batchSize, lastError };
    const may = hooks.mayLog('stalled');
    if (may !== undefined) {
      hooks
        .log()
        .error(
          { err, attempts: failing.attempts, batchSize, ...similar(may) },
          `address ${formatAddress(options.address)} is stalled: its batch keeps failing; it is retried until it succeeds`,
        );
    }
  } else if (failing.attempts === 1) {
    const may = hooks.mayLog('failed');
    if (may !== undefined)
      hooks.log().warn({ err, batchSize, ...similar(may) }, 'invocation attempt failed; retrying');
  } else {
    hooks
      .log()
      .debug({ err, attempt: failing.attempts, batchSize }, 'invocation attempt failed again; retrying');
  }
  const cap =
    subject.stall !== undefined
      ? backoff.stalledMaxMs
      : Math.min(backoff.maxMs, Math.max(1, options.budgetMs - elapsed));
  return backoffDelay(failing.attempts, cap, backoff);
}
