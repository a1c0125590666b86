/**
 * Conformance of the paged inbox reads every {@link Store} offers (the backlog stays in the store and is read
 * in pages), run by `describeStoreConformance`. It imports vitest, so only test files may import it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { FunctionAddress } from '../core/address.js';
import { EMPTY_COMMIT_BATCH, type Store, type StoredMessage } from './store.js';
import type { StoreConformanceContext } from './conformance.js';

const META = { keyGroups: 16, hash: 'murmur3_x86_32(utf8("namespace/name/id"))' } as const;
const KIM: FunctionAddress = { type: 'example/cart', id: 'Kim' };
const LEE: FunctionAddress = { type: 'example/cart', id: 'Lee' };
const APPLE: FunctionAddress = { type: 'example/inventory', id: 'apple' };

function message(seq: number, target: FunctionAddress, keyGroup = 1): StoredMessage {
  return {
    seq,
    keyGroup,
    target,
    caller: undefined,
    argument: { typename: 'example/Msg', value: Uint8Array.from([seq % 256]) },
    enqueuedAt: 10_000 + seq,
  };
}

const seqs = (messages: readonly StoredMessage[]): number[] => messages.map((m) => m.seq);

/** Declares the paged-inbox conformance tests (see `describeStoreConformance`). */
export function describeInboxConformance(
  name: string,
  createStore: () => Promise<StoreConformanceContext>,
): void {
  describe(`Store conformance: ${name}: the inbox in pages`, () => {
    let ctx: StoreConformanceContext;
    let store: Store;
    beforeEach(async () => {
      ctx = await createStore();
      store = ctx.store;
      await store.open(META);
      // Kim: 2, 5, 8; Lee: 3, 6 (key group 2); apple: 4, 7; consumed: 9.
      const messages = [
        message(2, KIM),
        message(3, LEE, 2),
        message(4, APPLE, 3),
        message(5, KIM),
        message(6, LEE, 2),
        message(7, APPLE, 3),
        message(8, KIM),
        message(9, KIM),
      ];
      await store.commit({ ...EMPTY_COMMIT_BATCH, messages });
      await store.commit({ ...EMPTY_COMMIT_BATCH, consumedMessages: [9] });
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('pages the inbox in seq order after a seq, at most a limit, filtered by key groups', async () => {
      expect(seqs(await store.loadInboxPage(0, 3))).toEqual([2, 3, 4]);
      expect(seqs(await store.loadInboxPage(4, 3))).toEqual([5, 6, 7]);
      expect(seqs(await store.loadInboxPage(7, 3))).toEqual([8]);
      expect(await store.loadInboxPage(8, 3)).toEqual([]);
      expect(seqs(await store.loadInboxPage(0, 10, [2, 3]))).toEqual([3, 4, 6, 7]);
      expect(seqs(await store.loadInboxPage(4, 1, [2, 3]))).toEqual([6]);
      expect(await store.loadInboxPage(0, 10, [])).toEqual([]);
      const [first] = await store.loadInboxPage(0, 1);
      expect({ ...first, argument: { ...first!.argument, value: [...first!.argument.value] } }).toEqual({
        ...message(2, KIM),
        argument: { typename: 'example/Msg', value: [2] },
      });
    });

    it("reads one address's messages in seq order, at most a limit", async () => {
      expect(seqs(await store.loadAddressInbox(KIM, 10))).toEqual([2, 5, 8]);
      expect(seqs(await store.loadAddressInbox(KIM, 2))).toEqual([2, 5]);
      expect(seqs(await store.loadAddressInbox(LEE, 10))).toEqual([3, 6]);
      expect(await store.loadAddressInbox({ type: 'example/cart', id: 'nobody' }, 10)).toEqual([]);
      // Same id, other type: not the same address.
      expect(await store.loadAddressInbox({ type: 'example/inventory', id: 'Kim' }, 10)).toEqual([]);
    });

    it('counts the backlog per function type with the oldest message, filtered by key groups', async () => {
      const byType = (stats: Awaited<ReturnType<Store['inboxStats']>>): unknown =>
        Object.fromEntries(stats.map((s) => [s.functionType, [s.messages, s.oldestEnqueuedAt]]));
      expect(byType(await store.inboxStats())).toEqual({
        'example/cart': [5, 10_002],
        'example/inventory': [2, 10_004],
      });
      expect(byType(await store.inboxStats([2]))).toEqual({ 'example/cart': [2, 10_003] });
      expect(byType(await store.inboxStats([]))).toEqual({});
      await store.commit({ ...EMPTY_COMMIT_BATCH, consumedMessages: [2, 4, 7] });
      expect(byType(await store.inboxStats())).toEqual({ 'example/cart': [4, 10_003] });
    });
  });
}
