import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StatehouseError, type RuntimeErrorCode } from '../errors.js';
import { callWithRetries, type AttemptOutcome, type RetryHooks, type RetrySubject } from './retrying-call.js';

const log = pino({ level: 'silent' });
const BACKOFF = { initialMs: 10, maxMs: 100, stalledMaxMs: 1_000 };

function setup(over: { budgetMs?: number; stopping?: () => boolean } = {}) {
  const events: string[] = [];
  const subject: RetrySubject = { failing: undefined, stall: undefined };
  const clock = new ManualClock(1_000);
  const options = {
    budgetMs: over.budgetMs ?? 60_000,
    backoff: BACKOFF,
    batchSize: 3,
    address: { type: 'ex/f', id: '1' },
    clock,
  };
  const hooks: RetryHooks = {
    log: () => log,
    mayLog: () => ({ suppressed: 0 }),
    isStopping: over.stopping ?? (() => false),
    onFailure: (code) => events.push(`failure ${code}`),
  };
  return { events, subject, clock, options, hooks };
}

/** An attempt answering from a script, one step per call: an Error is thrown, an outcome returned. */
function scripted(steps: (AttemptOutcome | Error)[], seen: number[] = []) {
  let i = 0;
  return (remainingMs: number): Promise<AttemptOutcome> => {
    seen.push(remainingMs);
    const step = steps[i++];
    if (step === undefined) return Promise.reject(new Error(`no step ${i}`));
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(step);
  };
}

const coded = (code: string) => new StatehouseError(code as RuntimeErrorCode, `failed with ${code}`);

describe('callWithRetries', () => {
  it('is done at the first success, with no failure reported', async () => {
    const { events, subject, options, hooks } = setup();
    expect(await callWithRetries(subject, scripted(['done']), options, hooks)).toEqual({ kind: 'done' });
    expect(events).toEqual([]);
    expect(subject.failing).toBeUndefined();
  });

  it('runs "again" at once without counting a failure', async () => {
    const { events, subject, options, hooks } = setup();
    const result = await callWithRetries(subject, scripted(['again', 'again', 'done']), options, hooks);
    expect(result).toEqual({ kind: 'done' });
    expect(events).toEqual([]);
  });

  it('ends cancelled when an attempt is cancelled', async () => {
    const { subject, options, hooks } = setup();
    expect(await callWithRetries(subject, scripted(['cancelled']), options, hooks)).toEqual({
      kind: 'cancelled',
    });
  });

  it('releases the batch at every failure, with a growing backoff within the budget, until a success', async () => {
    const { events, subject, clock, options, hooks } = setup();
    const delays: number[] = [];
    for (const code of ['ERR_A', 'ERR_B', 'ERR_C']) {
      const result = await callWithRetries(subject, scripted([coded(code)]), options, hooks);
      expect(result.kind).toBe('released');
      delays.push((result as { retryInMs: number }).retryInMs);
      clock.advance(5);
    }
    expect(subject.failing).toEqual({ since: 1_000, attempts: 3 });
    expect(subject.stall).toBeUndefined();
    // initial · 2^(n-1), ±25 %.
    expect(delays[0]).toBeGreaterThanOrEqual(7);
    expect(delays[0]).toBeLessThanOrEqual(13);
    expect(delays[2]).toBeGreaterThanOrEqual(30);
    expect(delays[2]).toBeLessThanOrEqual(50);
    expect(events).toEqual(['failure ERR_A', 'failure ERR_B', 'failure ERR_C']);
    expect(await callWithRetries(subject, scripted(['done']), options, hooks)).toEqual({ kind: 'done' });
    expect(subject.failing).toBeUndefined();
  });

  it('shares the budget from the first failure, then stalls: attempts counted, the whole budget per attempt', async () => {
    const { subject, clock, options, hooks } = setup({ budgetMs: 100 });
    const seen: number[] = [];
    await callWithRetries(subject, scripted([coded('ERR_A')], seen), options, hooks);
    clock.advance(60);
    await callWithRetries(subject, scripted([coded('ERR_A')], seen), options, hooks);
    expect(seen).toEqual([100, 40]);
    expect(subject.stall).toBeUndefined();
    clock.advance(60);
    const stalled = await callWithRetries(subject, scripted([coded('ERR_B')], seen), options, hooks);
    expect(subject.stall).toEqual({
      since: 1_120,
      attempts: 3,
      batchSize: 3,
      lastError: { code: 'ERR_B', message: 'failed with ERR_B' },
    });
    // Stalled: the longer cap applies, and each attempt gets the whole budget.
    expect((stalled as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(BACKOFF.stalledMaxMs * 1.25);
    clock.advance(500);
    await callWithRetries(subject, scripted([coded('ERR_C')], seen), options, hooks);
    expect(seen[3]).toBe(100);
    expect(subject.stall).toMatchObject({ since: 1_120, attempts: 4, lastError: { code: 'ERR_C' } });
    expect(await callWithRetries(subject, scripted(['done']), options, hooks)).toEqual({ kind: 'done' });
    expect(subject.stall).toBeUndefined();
    expect(subject.failing).toBeUndefined();
  });

  it('counts a thrown non-runtime error as ERR_ENGINE_UNEXPECTED', async () => {
    const { events, subject, options, hooks } = setup();
    await callWithRetries(subject, scripted([new Error('plain')]), options, hooks);
    expect(events).toEqual(['failure ERR_ENGINE_UNEXPECTED']);
  });

  it('does not count or release a failure while stopping', async () => {
    const { events, subject, options, hooks } = setup({ stopping: () => true });
    expect(await callWithRetries(subject, scripted([coded('ERR_A')]), options, hooks)).toEqual({
      kind: 'cancelled',
    });
    expect(events).toEqual([]);
    expect(subject.failing).toBeUndefined();
  });
});

describe('callWithRetries settled hook', () => {
  it.each([
    ['done', ['done'] as (AttemptOutcome | Error)[]],
    ['cancelled', ['cancelled'] as (AttemptOutcome | Error)[]],
    ['released', [coded('ERR_A')]],
  ])('tells the caller once that the run ended (%s)', async (kind, steps) => {
    const { subject, options, hooks } = setup();
    let settled = 0;
    const result = await callWithRetries(subject, scripted(steps), options, {
      ...hooks,
      settled: () => (settled += 1),
    });
    expect(result.kind).toBe(kind);
    expect(settled).toBe(1);
  });

  it('reports the batch exhausted once its dead-letter attempts are reached, with the last error', async () => {
    const { subject, options, hooks } = setup();
    const limited = { ...options, deadLetterAfter: { maxAttempts: 2, maxAgeMs: undefined } };
    const first = await callWithRetries(subject, scripted([coded('ERR_A')]), limited, hooks);
    expect(first.kind).toBe('released');
    const second = await callWithRetries(subject, scripted([coded('ERR_B')]), limited, hooks);
    expect(second).toMatchObject({
      kind: 'exhausted',
      attempts: 2,
      lastError: { code: 'ERR_B', message: 'failed with ERR_B' },
    });
  });

  it('reports the batch exhausted once it has been failing for the dead-letter age', async () => {
    const { subject, clock, options, hooks } = setup();
    const limited = { ...options, deadLetterAfter: { maxAttempts: undefined, maxAgeMs: 5_000 } };
    expect((await callWithRetries(subject, scripted([coded('ERR_A')]), limited, hooks)).kind).toBe(
      'released',
    );
    clock.advance(4_000);
    expect((await callWithRetries(subject, scripted([coded('ERR_A')]), limited, hooks)).kind).toBe(
      'released',
    );
    clock.advance(1_000);
    expect((await callWithRetries(subject, scripted([coded('ERR_A')]), limited, hooks)).kind).toBe(
      'exhausted',
    );
  });
});
