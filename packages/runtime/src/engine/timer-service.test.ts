/** TimerService on a ManualClock: fires no earlier than asked, in order, never what was cancelled or dropped. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { StoredTimer } from '../store/store.js';
import { TimerService } from './timer-service.js';

const START = 1_700_000_000_000;
const sender = { type: 'shop/scheduler', id: 's' };

const timer = (id: number, fireAt: number, extra: Partial<StoredTimer> = {}): StoredTimer => ({
  id,
  keyGroup: 3,
  fireAt,
  sender,
  token: undefined,
  target: { type: 'shop/sink', id: `k${id}` },
  argument: { typename: 'shop/Fire', value: new Uint8Array([id]) },
  ...extra,
});

function setup(): { clock: ManualClock; timers: TimerService; fired: { id: number; at: number }[] } {
  const clock = new ManualClock(START);
  const fired: { id: number; at: number }[] = [];
  const timers = new TimerService({ sink: (t) => fired.push({ id: t.id, at: clock.now() }), clock });
  return { clock, timers, fired };
}

describe('TimerService', () => {
  it('fires a timer no earlier than its deadline, and then forgets it', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START + 1_500)]);
    expect(timers.size).toBe(1);
    clock.advance(1_499);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([{ id: 1, at: START + 1_500 }]);
    expect(timers.size).toBe(0);
    clock.advance(60_000);
    expect(fired).toHaveLength(1);
  });

  it('fires at once a timer whose deadline already passed (loaded after a restart)', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START - 5_000)]);
    clock.advance(0);
    expect(fired).toEqual([{ id: 1, at: START }]);
  });

  it('fires in deadline order, ties by id, whatever order they were armed in', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(4, START + 300), timer(2, START + 100)]);
    timers.arm([timer(3, START + 100), timer(1, START + 200)]);
    clock.advance(1_000);
    expect(fired.map((f) => f.id)).toEqual([2, 3, 1, 4]);
    expect(fired.map((f) => f.at)).toEqual([START + 100, START + 100, START + 200, START + 300]);
  });

  it('re-arms for an earlier timer armed after a later one', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START + 10_000)]);
    clock.advance(1_000);
    timers.arm([timer(2, START + 2_000)]);
    clock.advance(1_000);
    expect(fired).toEqual([{ id: 2, at: START + 2_000 }]);
    clock.advance(8_000);
    expect(fired.map((f) => f.id)).toEqual([2, 1]);
  });

  it('never fires a cancelled timer; a token is scoped to its sender and free again afterwards', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START + 100, { token: 't' }), timer(2, START + 100, { token: 'u' })]);
    expect(timers.cancel({ sender: { type: 'shop/scheduler', id: 'stranger' }, token: 't' })).toBeUndefined();
    expect(timers.cancel({ sender, token: 't' })).toBe(1);
    expect(timers.hasToken(sender, 't')).toBe(false);
    expect(timers.cancel({ sender, token: 't' })).toBeUndefined();
    clock.advance(1_000);
    expect(fired.map((f) => f.id)).toEqual([2]);
    expect(timers.hasToken(sender, 'u')).toBe(false);
  });

  it('drops a timer cancelled after its token was reserved but before its commit armed it', () => {
    const { clock, timers, fired } = setup();
    const t = timer(1, START + 100, { token: 't' });
    timers.reserveToken(t);
    expect(timers.hasToken(sender, 't')).toBe(true);
    expect(timers.cancel({ sender, token: 't' })).toBe(1);
    timers.arm([t]);
    clock.advance(1_000);
    expect(fired).toEqual([]);
    expect(timers.size).toBe(0);
  });

  it('forgets the timers of dropped key groups and keeps the others', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START + 100, { keyGroup: 1 }), timer(2, START + 200, { keyGroup: 2 })]);
    timers.dropKeyGroups(new Set([1]));
    expect(timers.size).toBe(1);
    clock.advance(1_000);
    expect(fired.map((f) => f.id)).toEqual([2]);
  });

  it('fires nothing after clear() or stop(), and leaves no timer set on the clock', () => {
    const { clock, timers, fired } = setup();
    timers.arm([timer(1, START + 100)]);
    timers.clear();
    expect(clock.pendingTimers).toBe(0);
    timers.arm([timer(2, START + 100)]);
    timers.stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1_000);
    expect(fired).toEqual([]);
  });

  it('waits for timers beyond what one setTimeout can wait, in steps', () => {
    const { clock, timers, fired } = setup();
    const far = START + 30 * 24 * 3600 * 1000;
    timers.arm([timer(1, far)]);
    clock.advance(2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(far - clock.now());
    expect(fired).toEqual([{ id: 1, at: far }]);
  });

  it('keeps one clock timer however many timers are armed', () => {
    const { clock, timers } = setup();
    timers.arm(Array.from({ length: 50 }, (_, i) => timer(i + 1, START + 1_000 - i)));
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt).toBe(START + 1_000 - 49);
  });
});
