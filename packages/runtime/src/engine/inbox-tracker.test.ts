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
    tracker.beginLoad();
    const loaded = rows(3, 2, 1);
    const fresh = tracker.endLoad(loaded);
    expect(fresh).toEqual([loaded[0], loaded[2]]);
    expect(fresh[0]).toBe(loaded[0]);
  });

  it('forgets a seq whose consumption committed with no reload running', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    tracker.consumed([1]);
    tracker.beginLoad();
    expect(tracker.endLoad(rows(1))).toEqual(rows(1));
  });

  it('filters a seq consumed while a reload runs out of that reload, then forgets it', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    tracker.beginLoad();
    tracker.consumed([1]); // committed after the snapshot was taken: the snapshot still has the row
    expect(tracker.delivered(1, 0)).toBe(false);
    expect(tracker.endLoad(rows(1, 2))).toEqual(rows(2));
    // No later snapshot can hold the consumed row, so nothing of it is kept.
    tracker.beginLoad();
    expect(tracker.endLoad(rows(1))).toEqual(rows(1));
  });

  it('delivers again the seqs of key groups handed over, and only those', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 5);
    tracker.delivered(2, 6);
    tracker.dropKeyGroups(new Set([5]));
    tracker.beginLoad();
    expect(tracker.endLoad(rows(1, 2))).toEqual(rows(1));
    expect(tracker.delivered(1, 5)).toBe(true);
    expect(tracker.delivered(2, 6)).toBe(false);
  });

  it('forgets everything on clear, including consumption during a reload', () => {
    const tracker = new InboxTracker();
    tracker.delivered(1, 0);
    tracker.delivered(2, 0);
    tracker.beginLoad();
    tracker.consumed([2]);
    tracker.clear();
    expect(tracker.endLoad(rows(1, 2))).toEqual(rows(1, 2));
    expect(tracker.delivered(1, 0)).toBe(true);
  });
});
