/** IdAllocator: ids continue after the store's counters, never go back, and egress offsets stay contiguous. */
import { describe, expect, it } from 'vitest';
import type { StoreCounters } from '../store/store.js';
import { IdAllocator } from './id-allocator.js';

function counters(maxMessageSeq: number, maxTimerId: number, egress: [string, number][] = []): StoreCounters {
  return { maxMessageSeq, maxTimerId, egressNextOffsets: new Map(egress) };
}

describe('IdAllocator', () => {
  it('starts at 1 on an empty store', () => {
    const ids = new IdAllocator(counters(0, 0));
    expect([ids.nextSeq(), ids.nextSeq()]).toEqual([1, 2]);
    expect([ids.nextTimerId(), ids.nextTimerId()]).toEqual([1, 2]);
    expect([ids.nextEgressOffset('e/x'), ids.nextEgressOffset('e/x')]).toEqual([0, 1]);
  });

  it("continues after the store's counters, each sequence on its own", () => {
    const ids = new IdAllocator(counters(41, 7, [['e/a', 10]]));
    expect(ids.nextSeq()).toBe(42);
    expect(ids.nextTimerId()).toBe(8);
    expect(ids.nextSeq()).toBe(43);
    expect([ids.nextEgressOffset('e/a'), ids.nextEgressOffset('e/b'), ids.nextEgressOffset('e/a')]).toEqual([
      10, 0, 11,
    ]);
  });

  it("leaves the caller's counters unchanged", () => {
    const store = counters(0, 0, [['e/a', 3]]);
    const ids = new IdAllocator(store);
    ids.nextEgressOffset('e/a');
    ids.nextEgressOffset('e/b');
    expect([...store.egressNextOffsets]).toEqual([['e/a', 3]]);
  });

  it('never hands out a seq or timer id twice across a reset, even to lower counters', () => {
    const ids = new IdAllocator(counters(10, 10));
    ids.nextSeq(); // 11
    ids.nextTimerId(); // 11
    ids.reset(counters(10, 10)); // the work that took 11 was dropped
    expect(ids.nextSeq()).toBe(12);
    expect(ids.nextTimerId()).toBe(12);
    ids.reset(counters(100, 50));
    expect(ids.nextSeq()).toBe(101);
    expect(ids.nextTimerId()).toBe(51);
  });

  it('takes egress offsets of dropped work again after a reset, so they stay contiguous', () => {
    const ids = new IdAllocator(counters(0, 0, [['e/a', 5]]));
    expect([ids.nextEgressOffset('e/a'), ids.nextEgressOffset('e/a')]).toEqual([5, 6]);
    ids.nextEgressOffset('e/new');
    ids.reset(counters(0, 0, [['e/a', 6]])); // only offset 5 was committed
    expect(ids.nextEgressOffset('e/a')).toBe(6);
    expect(ids.nextEgressOffset('e/new')).toBe(0);
  });
});
