import { describe, expect, it } from 'vitest';

import { ManualClock } from '../core/clock.js';
import { EgressWaiters } from './egress-waiters.js';

/** Whether `promise` has settled, after the microtasks queued so far ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe('EgressWaiters', () => {
  it('times a wait out on its clock, not before', async () => {
    const clock = new ManualClock();
    const waiters = new EgressWaiters({ clock });
    const done = waiters.wait('e', 1_000);
    clock.advance(999);
    expect(await isSettled(done)).toBe(false);
    clock.advance(1);
    expect(await isSettled(done)).toBe(true);
  });

  it('wakes the waiters of the notified egress only, and cancels their timeouts', async () => {
    const clock = new ManualClock();
    const waiters = new EgressWaiters({ clock });
    const mine = waiters.wait('mine', 1_000);
    const other = waiters.wait('other', 1_000);
    waiters.notify('mine');
    expect(await isSettled(mine)).toBe(true);
    expect(await isSettled(other)).toBe(false);
    expect(clock.pendingTimers).toBe(1);
  });

  it('lets a subscriber cancel, and releases everyone at shutdown', async () => {
    const clock = new ManualClock();
    const waiters = new EgressWaiters({ clock });
    const sub = waiters.subscribe('e', 1_000);
    sub.cancel();
    expect(await isSettled(sub.done)).toBe(true);
    const a = waiters.wait('a', 1_000);
    const b = waiters.wait('b', 1_000);
    waiters.releaseAll();
    expect(await Promise.all([isSettled(a), isSettled(b)])).toEqual([true, true]);
    expect(clock.pendingTimers).toBe(0);
  });
});
