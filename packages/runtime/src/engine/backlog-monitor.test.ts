import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { InboxStats } from '../store/store.js';
import { BacklogMonitor } from './backlog-monitor.js';

const log = pino({ level: 'silent' });

function setup(stats: () => InboxStats[] | Promise<InboxStats[]>) {
  const clock = new ManualClock(1_000_000);
  const filters: (readonly number[] | undefined)[] = [];
  let filter: readonly number[] | undefined;
  const monitor = new BacklogMonitor(
    {
      store: {
        inboxStats: (keyGroups) => {
          filters.push(keyGroups);
          return Promise.resolve(stats());
        },
      },
      clock,
      log,
      keyGroupFilter: () => filter,
    },
    { minIntervalMs: 2_000 },
  );
  return { clock, monitor, filters, setFilter: (f: readonly number[] | undefined) => (filter = f) };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BacklogMonitor', () => {
  it('reads the store at start and then every interval, with the key-group filter of the moment', async () => {
    let messages = 5;
    const { clock, monitor, filters, setFilter } = setup(() => [
      { functionType: 'ex/a', messages, oldestEnqueuedAt: 900_000 },
    ]);
    monitor.start();
    clock.advance(0);
    await flush();
    expect(monitor.messagesOf('ex/a')).toBe(5);
    expect(monitor.byType().get('ex/a')).toEqual({ messages: 5, oldestEnqueuedAt: 900_000 });
    messages = 7;
    setFilter([1, 2]);
    clock.advance(1_999);
    await flush();
    expect(monitor.messagesOf('ex/a')).toBe(5); // not yet
    clock.advance(1);
    await flush();
    expect(monitor.messagesOf('ex/a')).toBe(7);
    expect(filters).toEqual([undefined, [1, 2]]);
    await monitor.stop();
    clock.advance(10_000);
    await flush();
    expect(filters).toHaveLength(2);
  });

  it('counts accepted ingress on top until the next read replaces it', async () => {
    const { clock, monitor } = setup(() => [{ functionType: 'ex/a', messages: 1, oldestEnqueuedAt: 1 }]);
    monitor.added('ex/b');
    monitor.added('ex/b');
    expect(monitor.messagesOf('ex/b')).toBe(2);
    expect(monitor.byType().get('ex/b')?.oldestEnqueuedAt).toBe(clock.now());
    monitor.enqueued('ex/b');
    monitor.enqueued('ex/b');
    await monitor.refresh();
    expect(monitor.messagesOf('ex/b')).toBe(0);
    expect(monitor.messagesOf('ex/a')).toBe(1);
    monitor.added('ex/a');
    expect(monitor.byType().get('ex/a')).toEqual({ messages: 2, oldestEnqueuedAt: 1 });
  });

  it('never counts low: ingress committing while a read runs stays counted until the next read', async () => {
    // The store's snapshot is taken when the read starts; it resolves later, when the test says so.
    let snapshot: InboxStats[] = [];
    let answer: (() => void) | undefined;
    const { monitor } = setup(() => {
      const taken = snapshot;
      return new Promise((resolve) => (answer = () => resolve(taken)));
    });
    monitor.added('ex/a'); // committed before the read: in the snapshot
    monitor.enqueued('ex/a');
    snapshot = [{ functionType: 'ex/a', messages: 1, oldestEnqueuedAt: 1 }];
    monitor.added('ex/a'); // its commit ends while the read runs (not in the snapshot)
    monitor.added('ex/a'); // its commit ends after the read
    const reading = monitor.refresh();
    monitor.enqueued('ex/a');
    monitor.added('ex/a'); // refused after all
    monitor.notEnqueued('ex/a');
    answer!();
    await reading;
    expect(monitor.messagesOf('ex/a')).toBe(3);
    monitor.enqueued('ex/a');
    snapshot = [{ functionType: 'ex/a', messages: 3, oldestEnqueuedAt: 1 }];
    const next = monitor.refresh();
    answer!();
    await next;
    expect(monitor.messagesOf('ex/a')).toBe(3);
  });

  it('keeps counting after a failed read', async () => {
    let fail = true;
    const { clock, monitor } = setup(() => {
      if (fail) throw new Error('database restarting');
      return [{ functionType: 'ex/a', messages: 3, oldestEnqueuedAt: 1 }];
    });
    monitor.start();
    clock.advance(0);
    await flush();
    expect(monitor.messagesOf('ex/a')).toBe(0);
    fail = false;
    clock.advance(2_000);
    await flush();
    expect(monitor.messagesOf('ex/a')).toBe(3);
    await monitor.stop();
  });
});
