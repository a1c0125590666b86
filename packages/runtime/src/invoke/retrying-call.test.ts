import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { StatehouseError, type RuntimeErrorCode } from '../errors.js';
import { callWithRetries, type AttemptOutcome, type RetryHooks, type RetrySubject } from './retrying-call.js';

const log = pino({ level: 'silent' });

function setup(over: { budgetMs?: number; initialMs?: number; stopping?: () => boolean } = {}) {
  const events: string[] = [];
  const subject: RetrySubject = { stall: undefined, wake: undefined };
  const abort = new AbortController();
  const options = {
    budgetMs: over.budgetMs ?? 60_000,
    backoff: { initialMs: over.initialMs ?? 1, maxMs: 5, stalledMaxMs: over.initialMs ?? 5 },
    batchSize: 3,
    label: 'ex/f/1',
    signal: abort.signal,
    clock: systemClock,
  };
  const hooks: RetryHooks = {
    log: () => log,
    isStopping: over.stopping ?? (() => false),
    onFailure: (code) => events.push(`failure ${code}`),
    onStalledWait: () => events.push('stalled-wait'),
    onStalledRetry: () => events.push('stalled-retry'),
  };
  return { events, subject, abort, options, hooks };
}

/** An attempt function answering from a script: an Error is thrown, an outcome returned. */
function scripted(steps: (AttemptOutcome | Error)[], seen: number[] = []) {
  return (n: number, remainingMs: number): Promise<AttemptOutcome> => {
    seen.push(remainingMs);
    const step = steps[n - 1];
    if (step === undefined) return Promise.reject(new Error(`no step ${n}`));
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(step);
  };
}

// Made-up codes: the policy only passes codes on. The cast leaves the typed union of real codes.
const coded = (code: string) => new StatehouseError(code as RuntimeErrorCode, `failed with ${code}`);

describe('callWithRetries', () => {
  it('returns true at the first success, with no failure reported', async () => {
    const { events, subject, options, hooks } = setup();
    expect(await callWithRetries(subject, scripted(['done']), options, hooks)).toBe(true);
    expect(events).toEqual([]);
  });

  it('retries failures within the budget, reporting each code, without stalling', async () => {
    const { events, subject, options, hooks } = setup();
    const steps = [coded('ERR_A'), new Error('plain'), 'done' as const];
    expect(await callWithRetries(subject, scripted(steps), options, hooks)).toBe(true);
    expect(events).toEqual(['failure ERR_A', 'failure ERR_ENGINE_UNEXPECTED']);
    expect(subject.stall).toBeUndefined();
  });

  it('runs "again" at once without counting a failure', async () => {
    const { events, subject, options, hooks } = setup();
    expect(await callWithRetries(subject, scripted(['again', 'again', 'done']), options, hooks)).toBe(true);
    expect(events).toEqual([]);
  });

  it('stops with false when an attempt is cancelled', async () => {
    const { subject, options, hooks } = setup();
    expect(await callWithRetries(subject, scripted([coded('ERR_A'), 'cancelled']), options, hooks)).toBe(
      false,
    );
  });

  it('stalls once the budget is spent: records the stall, gives the slot back while waiting, and clears it on success', async () => {
    const { events, subject, options, hooks } = setup({ budgetMs: 0 });
    const stalls: unknown[] = [];
    const attempt = scripted([coded('ERR_A'), coded('ERR_B'), 'done']);
    const run = callWithRetries(
      subject,
      async (n, ms) => {
        stalls.push(subject.stall === undefined ? undefined : { ...subject.stall });
        return attempt(n, ms);
      },
      options,
      hooks,
    );
    expect(await run).toBe(true);
    expect(stalls[0]).toBeUndefined();
    expect(stalls[1]).toMatchObject({ attempts: 1, batchSize: 3, lastError: { code: 'ERR_A' } });
    expect(stalls[2]).toMatchObject({
      attempts: 2,
      lastError: { code: 'ERR_B', message: 'failed with ERR_B' },
    });
    expect(events).toEqual([
      'failure ERR_A',
      'stalled-wait',
      'stalled-retry',
      'failure ERR_B',
      'stalled-wait',
      'stalled-retry',
    ]);
    expect(subject.stall).toBeUndefined();
  });

  it('gives a stalled address the whole budget per attempt; before that attempts share it', async () => {
    const { subject, options, hooks } = setup({ budgetMs: 10_000 });
    const seen: number[] = [];
    subject.stall = { since: 0, attempts: 9, batchSize: 1, lastError: { code: 'ERR_A', message: 'x' } };
    await callWithRetries(subject, scripted(['done'], seen), options, hooks);
    expect(seen).toEqual([10_000]);
    await callWithRetries(subject, scripted(['done'], seen), { ...options, budgetMs: 50 }, hooks);
    expect(seen[1]).toBeLessThanOrEqual(50);
  });

  it('does not retry a failure while stopping', async () => {
    const { events, subject, options, hooks } = setup({ stopping: () => true });
    expect(await callWithRetries(subject, scripted([coded('ERR_A'), 'done']), options, hooks)).toBe(false);
    expect(events).toEqual([]);
  });

  it('wake() ends a backoff early', async () => {
    const { subject, options, hooks } = setup({ initialMs: 3_600_000, budgetMs: 0 });
    const run = callWithRetries(subject, scripted([coded('ERR_A'), 'done']), options, hooks);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subject.wake).toBeTypeOf('function');
    subject.wake?.();
    expect(await run).toBe(true);
    expect(subject.wake).toBeUndefined();
  });

  it('an abort ends a backoff early', async () => {
    const { subject, abort, options, hooks } = setup({ initialMs: 3_600_000, budgetMs: 0 });
    const run = callWithRetries(subject, scripted([coded('ERR_A'), 'cancelled']), options, hooks);
    await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    expect(await run).toBe(false);
  });
});
