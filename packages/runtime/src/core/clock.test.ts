import { describe, expect, it } from 'vitest';
import { ManualClock, sleep, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('stands still until advanced, starting where it is told', () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires a timer no earlier than its due time, and at it', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    expect(clock.advance(99)).toBe(0);
    expect(seen).toEqual([]);
    expect(clock.nextTimerAt).toBe(100);
    expect(clock.advance(50)).toBe(1);
    expect(seen).toEqual([100]);
    expect(clock.now()).toBe(149);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires due timers in order of due time, ties in the order they were set', () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('c'), 30);
    clock.setTimeout(() => order.push('a1'), 10);
    clock.setTimeout(() => order.push('a2'), 10);
    clock.setTimeout(() => order.push('b'), 20);
    expect(clock.advance(100)).toBe(4);
    expect(order).toEqual(['a1', 'a2', 'b', 'c']);
  });

  it('fires timers set by a firing timer when they fall due within the same advance', () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(seen).toEqual([10, 20, 30]);
    expect(clock.nextTimerAt).toBe(40);
  });

  it('never fires a cleared timer; clearing twice or after firing is a no-op', () => {
    const clock = new ManualClock();
    let fired = 0;
    const h = clock.setTimeout(() => (fired += 1), 5);
    clock.clearTimeout(h);
    clock.clearTimeout(h);
    expect(clock.advance(10)).toBe(0);
    const h2 = clock.setTimeout(() => (fired += 1), 0);
    clock.advance(0);
    clock.clearTimeout(h2);
    expect(fired).toBe(1);
  });

  it('treats a negative delay as zero and never goes back', () => {
    const clock = new ManualClock(100);
    let fired = false;
    clock.setTimeout(() => (fired = true), -5);
    expect(clock.nextTimerAt).toBe(100);
    clock.advance(-50);
    expect(clock.now()).toBe(100);
    expect(fired).toBe(true);
  });
});

describe('sleep', () => {
  it('resolves once the clock reaches the end', async () => {
    const clock = new ManualClock();
    let done = false;
    const p = sleep(clock, 1_000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason and clears its timer', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const p = sleep(clock, 1_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(sleep(clock, 1, aborted)).rejects.toThrow('already');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('systemClock', () => {
  it('reads the wall clock and fires real timers', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    await sleep(systemClock, 5);
    let fired = false;
    const h = systemClock.setTimeout(() => (fired = true), 1);
    systemClock.clearTimeout(h);
    // Node fires timers due at the same time in the order they were set: had `h` survived, it would go first.
    await sleep(systemClock, 1);
    expect(fired).toBe(false);
  });
});
