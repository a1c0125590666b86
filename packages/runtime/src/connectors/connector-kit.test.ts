import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { backoffMs, connectorStatusOf, waitAtMost, WakeableSleeps } from './connector-kit.js';

describe('WakeableSleeps', () => {
  it('ends a sleep when its time comes, when woken, or at once once stopped', async () => {
    const clock = new ManualClock();
    const sleeps = new WakeableSleeps(clock);
    const ended: string[] = [];
    const timed = sleeps.sleep(100).then(() => ended.push('timed'));
    clock.advance(100);
    await timed;
    const woken = sleeps.sleep(10_000).then(() => ended.push('woken'));
    sleeps.wakeAll();
    await woken;
    expect(clock.pendingTimers).toBe(0);
    const stopped = sleeps.sleep(10_000).then(() => ended.push('stopped'));
    sleeps.stop();
    await stopped;
    await sleeps.sleep(10_000);
    expect(ended).toEqual(['timed', 'woken', 'stopped']);
  });
});

describe('backoffMs', () => {
  it('doubles from the first wait and stops at the largest', () => {
    const range = { first: 250, max: 10_000 };
    expect([1, 2, 3, 6, 7, 50].map((f) => backoffMs(f, range))).toEqual([
      250, 500, 1_000, 8_000, 10_000, 10_000,
    ]);
  });
});

describe('waitAtMost', () => {
  it('gives up on work that does not end, and ignores a rejection', async () => {
    await waitAtMost(new Promise(() => undefined), 10);
    await waitAtMost(Promise.reject(new Error('gone')), 1_000);
  });
});

describe('connectorStatusOf', () => {
  const doc = { id: 'a/in', kind: 'io.statefun.kinesis.v1/ingress' };
  const part = { source: 's', part: 'shard-0', position: 'trim-horizon', paused: true };

  it('shows a running connector with a paused part as paused, and the error only while retrying', () => {
    expect(connectorStatusOf(doc, 'running', 'old', [part])).toEqual({
      ...doc,
      state: 'paused',
      parts: [part],
    });
    expect(connectorStatusOf(doc, 'retrying', 'no stream', [])).toEqual({
      ...doc,
      state: 'retrying',
      lastError: 'no stream',
      parts: [],
    });
  });
});
