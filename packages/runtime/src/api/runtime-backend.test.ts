import { describe, expect, it } from 'vitest';
import { countBacklog, notReadyReason, type BacklogSource } from './runtime-backend.js';

/** An engine whose store backlog, memory and stalls are the given maps. */
function source(
  durable: Record<string, { messages: number; oldestEnqueuedAt: number }>,
  inMemory: Record<string, number>,
  stalled: Record<string, number> = {},
): BacklogSource & { refreshed: number } {
  const engine = {
    refreshed: 0,
    backlog: {
      refresh: () => {
        engine.refreshed++;
        return Promise.resolve();
      },
      byType: () => new Map(Object.entries(durable)),
    },
    dispatcher: {
      backlogByType: () => new Map(Object.entries(inMemory)),
      stalledByType: () => new Map(Object.entries(stalled)),
    },
  };
  return engine as unknown as BacklogSource & { refreshed: number };
}

describe('countBacklog', () => {
  it('is empty before start', async () => {
    expect(await countBacklog(undefined, () => 0)).toEqual([]);
  });

  it('refreshes the store counts, joins memory and stalls per type, largest first then by name', async () => {
    const engine = source(
      { 'a/x': { messages: 5, oldestEnqueuedAt: 100 }, 'a/y': { messages: 9, oldestEnqueuedAt: 50 } },
      { 'a/x': 2, 'a/z': 3 },
      { 'a/z': 1 },
    );
    expect(await countBacklog(engine, () => 1_000)).toEqual([
      { functionType: 'a/y', messages: 9, oldestEnqueuedAt: 50, inMemory: 0, stalledAddresses: 0 },
      { functionType: 'a/x', messages: 5, oldestEnqueuedAt: 100, inMemory: 2, stalledAddresses: 0 },
      // Only in memory: nothing in the store, its oldest message counts as enqueued now.
      { functionType: 'a/z', messages: 0, oldestEnqueuedAt: 1_000, inMemory: 3, stalledAddresses: 1 },
    ]);
    expect(engine.refreshed).toBe(1);
  });
});

describe('notReadyReason', () => {
  const facts = { isStoreReachable: true, storeFull: undefined } as const;

  it('is ready only when running with a reachable store that has space', () => {
    expect(notReadyReason({ ...facts, state: 'RUNNING' })).toBeUndefined();
  });

  it('names the lifecycle state outside RUNNING', () => {
    expect(notReadyReason({ ...facts, state: 'RECOVERING' })).toEqual({
      status: 'recovering',
      reason: 'the runtime is recovering',
    });
    expect(notReadyReason({ ...facts, state: 'STOPPING', isStoreReachable: false })).toEqual({
      status: 'stopping',
      reason: 'the runtime is stopping',
    });
  });

  it('says store-unreachable before store-full', () => {
    expect(
      notReadyReason({ state: 'RUNNING', isStoreReachable: false, storeFull: 'disk full' })?.status,
    ).toBe('store-unreachable');
    expect(notReadyReason({ ...facts, state: 'RECOVERING', storeFull: 'disk full' })).toEqual({
      status: 'store-full',
      reason: 'disk full',
    });
  });
});
