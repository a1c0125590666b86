/**
 * InboxTracker: a reload of the inboxes never hands out a message this process delivered before, including one
 * whose consumption committed while the reload's snapshot was taken, and forgets what it no longer needs.
 */
import { describe, expect, it } from 'vitest';
import { InboxTracker } from './inbox-tracker.js';

const rows = (...seqs: number[]) => seqs.map((seq) => ({ seq, payload: `m${seq}` }));

describe('InboxTracker', () => {
  it('delivers a seq once', () => {
    const tracker = new InboxTracker();
    expect(tracker.delivered(1, 0)).toBe(true);
    expect(tracker.delivered(1, 0)).toBe(false);
    expect(tracker.delivered(2, 0)).toBe(true);
  });

  it('filters delivered seqs out of a reload, keeping the other rows as they are and in order', () => {
    const tracker = new InboxTracker();
    tracker.delivered(2, 0);
    const token = tracker.beginLoad();
    const loaded = rows(3, 2, 1);
    const fresh = tracker.endLoad(token, loaded);
    expect(fresh).toEqual([loaded[0], loaded[2]]);
    expect(fresh[0]).toBe(loaded[0]);
  });

  it('forgets a seq whose consumption committed with no reload running', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    tracker.consumed([1]);
    expect(tracker.endLoad(tracker.beginLoad(), rows(1))).toEqual(rows(1));
  });

  it('filters a seq consumed while a reload runs out of that reload, then forgets it', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    const token = tracker.beginLoad();
    tracker.consumed([1]); // committed after the snapshot was taken: the snapshot still has the row
    expect(tracker.delivered(1, 0)).toBe(false);
    expect(tracker.endLoad(token, rows(1, 2))).toEqual(rows(2));
    // No later snapshot can hold the consumed row, so nothing of it is kept.
    expect(tracker.endLoad(tracker.beginLoad(), rows(1))).toEqual(rows(1));
  });

  it('delivers again the seqs of key groups handed over, and only those', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 5);
    tracker.delivered(2, 6);
    tracker.dropKeyGroups(new Set([5]));
    expect(tracker.endLoad(tracker.beginLoad(), rows(1, 2))).toEqual(rows(1));
    expect(tracker.delivered(1, 5)).toBe(true);
    expect(tracker.delivered(2, 6)).toBe(false);
  });

  it('forgets everything on clear, including consumption during a reload', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    tracker.delivered(2, 0);
    const token = tracker.beginLoad();
    tracker.consumed([2]);
    tracker.clear();
    expect(tracker.endLoad(token, rows(1, 2))).toEqual(rows(1, 2));
    expect(tracker.delivered(1, 0)).toBe(true);
  });

  it('with reads overlapping without end, keeps only consumptions a running read may still hold', () => {
    const tracker = new InboxTracker();
    let running = tracker.beginLoad();
    for (let seq = 1; seq <= 1_000; seq += 1) {
      tracker.delivered(seq, 0);
      tracker.consumed([seq]);
      // A new read starts before the previous one ends: there is always one running.
      const next = tracker.beginLoad();
      expect(tracker.endLoad(running, [])).toEqual([]);
      running = next;
    }
    // Consumed while the current read runs: filtered from it. Consumed before it started: forgotten, so a
    // later read (which cannot hold those rows) is not filtered by them either.
    tracker.delivered(5_000, 0);
    tracker.consumed([5_000]);
    expect(tracker.endLoad(running, rows(999, 1_000, 5_000))).toEqual(rows(999, 1_000));
    const later = tracker.beginLoad();
    tracker.consumed([]);
    expect(tracker.delivered(2, 0)).toBe(true);
    expect(tracker.endLoad(later, rows(3))).toEqual(rows(3));
  });
});
