/** backoffDelay: doubles from the initial delay, stops at the cap, and jitters by ±25 %. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.js';

const OPTIONS: BackoffOptions = { initialMs: 100, maxMs: 10_000, stalledMaxMs: 60_000 };

/** Fixes the jitter: 0 is the shortest (-25 %), 0.5 none, just below 1 the longest (+25 %). */
const jitter = (random: number) => vi.spyOn(Math, 'random').mockReturnValue(random);

describe('backoffDelay', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('doubles with every attempt, from the initial delay', () => {
    jitter(0.5);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, OPTIONS.maxMs, OPTIONS))).toEqual([
      100, 200, 400, 800, 1600,
    ]);
  });

  it('stops growing at the cap it is given', () => {
    jitter(0.5);
    expect(backoffDelay(7, 5_000, OPTIONS)).toBe(5_000);
    expect(backoffDelay(8, 5_000, OPTIONS)).toBe(5_000);
    expect(backoffDelay(1_000, 5_000, OPTIONS)).toBe(5_000);
    expect(backoffDelay(8, OPTIONS.stalledMaxMs, OPTIONS)).toBe(12_800);
  });

  it('jitters by at most 25 % either way', () => {
    jitter(0);
    expect(backoffDelay(4, OPTIONS.maxMs, OPTIONS)).toBe(600);
    expect(backoffDelay(20, OPTIONS.maxMs, OPTIONS)).toBe(7_500);
    jitter(0.999_999);
    expect(backoffDelay(4, OPTIONS.maxMs, OPTIONS)).toBe(1_000);
    expect(backoffDelay(20, OPTIONS.maxMs, OPTIONS)).toBe(12_500);
  });

  it('spreads real retries over the jitter range', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(5, OPTIONS.maxMs, OPTIONS));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(1_200);
      expect(d).toBeLessThanOrEqual(2_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('never waits less than 1 ms', () => {
    jitter(0);
    expect(backoffDelay(1, 0, OPTIONS)).toBe(1);
    expect(backoffDelay(1, 1, OPTIONS)).toBe(1);
  });

  it('uses the documented defaults: 2 ms initial, 1 s in budget (stalled: the stalledRetryMaxMs option)', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 2, maxMs: 1_000 });
    expect(Object.isFrozen(DEFAULT_BACKOFF)).toBe(true);
    jitter(0.5);
    expect(backoffDelay(1, DEFAULT_BACKOFF.maxMs)).toBe(2);
    expect(backoffDelay(3, DEFAULT_BACKOFF.maxMs)).toBe(8);
  });
});
