/**
 * The conformance suite of {@link ClusterStore} implementations: membership, leases, fencing, id blocks, egress
 * offsets across processes, and wake-ups. Every test uses two or more store objects on the same storage, as
 * two runtime processes would. It imports vitest, so only test files may import it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { FunctionAddress } from '../core/address.js';
import { StoreError } from '../errors.js';
import type { KeyGroupWake, ClusterStore } from './cluster-store.js';
import { EMPTY_COMMIT_BATCH } from './store.js';
import type { CommitBatch, ConnectorPosition, EgressAppend, StoredMessage, StoredTimer } from './store.js';

/** What the suite gets for each test: a way to make stores on one fresh, empty storage. */
export interface ClusterStoreConformanceContext {
  /** A new, unopened store on this test's storage (call it once per simulated process). */
  readonly newStore: () => ClusterStore;
  /** Closes every store still open and deletes the storage. */
  readonly cleanup: () => Promise<void>;
}

const META = { keyGroups: 16, hash: 'murmur3_x86_32(utf8("namespace/name/id"))' } as const;
const CART: FunctionAddress = { type: 'example/cart', id: 'Kim' };
const LONG_LEASE_MS = 60_000;
const POSITION: ConnectorPosition = {
  connector: 'com.example/names',
  source: 'names',
  part: '0',
  position: '8',
};

const batch = (parts: Partial<CommitBatch>): CommitBatch => ({ ...EMPTY_COMMIT_BATCH, ...parts });
const fence = (incarnation: string, leases: Record<number, number>) => ({
  incarnation,
  leases: new Map(Object.entries(leases).map(([kg, epoch]) => [Number(kg), epoch])),
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function message(seq: number, keyGroup: number): StoredMessage {
  return {
    seq,
    keyGroup,
    target: CART,
    caller: undefined,
    argument: { typename: 'example/AddToCart', value: Uint8Array.of(seq % 256) },
    enqueuedAt: 1_000 + seq,
  };
}

function timer(id: number, keyGroup: number): StoredTimer {
  return {
    id,
    keyGroup,
    fireAt: 5_000,
    sender: CART,
    token: undefined,
    target: CART,
    argument: { typename: 'example/Timeout', value: Uint8Array.of(1) },
  };
}

function egress(producerId: string, n: number): EgressAppend {
  return {
    egressId: 'example/out',
    offset: 999, // ignored by fenced commits
    producer: { type: 'example/cart', id: producerId },
    value: { typename: 'example/Out', value: new TextEncoder().encode(`${producerId}:${n}`) },
    createdAt: n,
  };
}

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

/** Collects wake-ups and lets a test wait until a condition on them holds. */
function wakeUps(): {
  readonly received: number[][];
  onKeyGroups: (wake: KeyGroupWake) => void;
  until: (check: (all: number[][]) => boolean) => Promise<void>;
} {
  const received: number[][] = [];
  let notify: (() => void) | undefined;
  return {
    received,
    onKeyGroups: (wake) => {
      received.push([...wake.keyGroups].sort((x, y) => x - y));
      notify?.();
    },
    until: async (check) => {
      const deadline = Date.now() + 5_000;
      while (!check(received)) {
        if (Date.now() > deadline) throw new Error(`No matching wake-up; got ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

/**
 * Declares the conformance tests of a {@link ClusterStore} implementation.
 *
 * @param name - the implementation, shown in test names.
 * @param createStorage - makes fresh, empty storage for each test.
 * @example
 * ```ts
 * describeClusterStoreConformance('PostgresStore', async () => {
 *   const url = await pg.createDatabase();
 *   return { newStore: () => new PostgresStore({ url }), cleanup: ... };
 * });
 * ```
 */
export function describeClusterStoreConformance(
  name: string,
  createStorage: () => Promise<ClusterStoreConformanceContext>,
): void {
  describe(`ClusterStore conformance: ${name}`, () => {
    let ctx: ClusterStoreConformanceContext;
    /** Two open stores on the same storage: two processes, nodes "a" and "b". */
    let a: ClusterStore;
    let b: ClusterStore;

    beforeEach(async () => {
      ctx = await createStorage();
      a = ctx.newStore();
      await a.open(META);
      b = ctx.newStore();
      await b.open(META);
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('migrates a fresh storage from several processes at once', async () => {
      const fresh = await createStorage();
      try {
        const stores = [fresh.newStore(), fresh.newStore(), fresh.newStore()];
        const metas = await Promise.all(stores.map((s) => s.open(META)));
        expect(metas.map((m) => m.keyGroups)).toEqual([16, 16, 16]);
        await stores[0]!.commit(batch({ messages: [message(1, 1)] }));
        expect((await stores[2]!.loadMessages()).map((m) => m.seq)).toEqual([1]);
      } finally {
        await fresh.cleanup();
      }
    });

    describe('membership', () => {
      it('lists live members with their heartbeat on the store clock', async () => {
        const before = Date.now();
        await a.heartbeat({ nodeId: 'a', incarnation: 'a', advertise: '10.0.0.1:8091' }, LONG_LEASE_MS);
        const view = await b.heartbeat(
          { nodeId: 'b', incarnation: 'b', advertise: '10.0.0.2:8091' },
          LONG_LEASE_MS,
        );
        expect(view.liveMembers.map((m) => [m.nodeId, m.advertise])).toEqual([
          ['a', '10.0.0.1:8091'],
          ['b', '10.0.0.2:8091'],
        ]);
        // The store clock may differ from ours a little; it must at least be a sane epoch-ms value.
        expect(Math.abs(view.now - before)).toBeLessThan(60_000);
        const member = view.liveMembers.find((m) => m.nodeId === 'b');
        expect(member?.heartbeatAt).toBe(view.now);
        expect(member?.startedAt).toBeLessThanOrEqual(view.now);
      });

      it('drops a member whose heartbeat is older than the lease timeout, and forgets one that left', async () => {
        await a.heartbeat({ nodeId: 'a', incarnation: 'a', advertise: 'a:1' }, LONG_LEASE_MS);
        await sleep(60);
        let view = await b.heartbeat({ nodeId: 'b', incarnation: 'b', advertise: 'b:1' }, 30);
        expect(view.liveMembers.map((m) => m.nodeId)).toEqual(['b']);
        view = await b.heartbeat({ nodeId: 'b', incarnation: 'b', advertise: 'b:1' }, LONG_LEASE_MS);
        expect(view.liveMembers.map((m) => m.nodeId)).toEqual(['a', 'b']);
        await a.leave('a');
        view = await b.heartbeat({ nodeId: 'b', incarnation: 'b', advertise: 'b:1' }, LONG_LEASE_MS);
        expect(view.liveMembers.map((m) => m.nodeId)).toEqual(['b']);
      });
    });

    describe('leases', () => {
      it('takes free key groups at epoch 1 and refuses ones another node holds', async () => {
        const taken = await a.acquireLeases('a', [3, 1, 2, 1], LONG_LEASE_MS);
        expect(taken.map((l) => [l.keyGroup, l.owner, l.epoch])).toEqual([
          [1, 'a', 1],
          [2, 'a', 1],
          [3, 'a', 1],
        ]);
        expect(
          (await b.acquireLeases('b', [2, 3, 4], LONG_LEASE_MS)).map((l) => [l.keyGroup, l.epoch]),
        ).toEqual([[4, 1]]);
        // Taking again what we hold keeps the epoch.
        expect((await a.acquireLeases('a', [1], LONG_LEASE_MS)).map((l) => l.epoch)).toEqual([1]);
        const view = await a.heartbeat({ nodeId: 'a', incarnation: 'a', advertise: 'a:1' }, LONG_LEASE_MS);
        expect(view.leases.map((l) => [l.keyGroup, l.owner])).toEqual([
          [1, 'a'],
          [2, 'a'],
          [3, 'a'],
          [4, 'b'],
        ]);
      });

      it('lets another node take an expired lease with epoch + 1', async () => {
        await a.acquireLeases('a', [5], 30);
        await sleep(60);
        const [lease] = await b.acquireLeases('b', [5], LONG_LEASE_MS);
        expect(lease).toMatchObject({ keyGroup: 5, owner: 'b', epoch: 2 });
        expect(await a.acquireLeases('a', [5], LONG_LEASE_MS)).toEqual([]);
      });

      it('keeps leases alive with heartbeats', async () => {
        await a.acquireLeases('a', [6], 1_000);
        const view = await a.heartbeat({ nodeId: 'a', incarnation: 'a', advertise: 'a:1' }, LONG_LEASE_MS);
        expect(view.leases.find((l) => l.keyGroup === 6)?.expiresAt).toBeGreaterThan(
          view.now + LONG_LEASE_MS / 2,
        );
        await sleep(60);
        expect(await b.acquireLeases('b', [6], LONG_LEASE_MS)).toEqual([]);
      });

      it('never revives an expired lease with a heartbeat: only a new acquire (new epoch) does', async () => {
        await a.acquireLeases('a', [8], 30);
        await sleep(60);
        const view = await a.heartbeat({ nodeId: 'a', incarnation: 'a', advertise: 'a:1' }, LONG_LEASE_MS);
        expect(view.leases.find((l) => l.keyGroup === 8)!.expiresAt).toBeLessThanOrEqual(view.now);
        await expect(
          a.commitFenced(batch({ messages: [message(1, 8)] }), fence('a', { 8: 1 })),
        ).rejects.toMatchObject({ code: 'ERR_STORE_FENCED' });
      });

      it('gives a new incarnation of a node id a new epoch, and never extends the leases of an earlier one', async () => {
        await a.acquireLeases('a#1', [9], 300);
        const view = await b.heartbeat({ nodeId: 'a', incarnation: 'a#2', advertise: 'a:1' }, LONG_LEASE_MS);
        const before = view.leases.find((l) => l.keyGroup === 9)!;
        expect(before.owner).toBe('a#1');
        expect(before.expiresAt).toBeLessThan(view.now + 1_000);
        expect(await b.acquireLeases('a#2', [9], LONG_LEASE_MS)).toEqual([]); // not expired yet
        await sleep(350);
        const [taken] = await b.acquireLeases('a#2', [9], LONG_LEASE_MS);
        expect(taken).toMatchObject({ keyGroup: 9, owner: 'a#2', epoch: 2 });
        // The earlier incarnation, still running somewhere, is fenced.
        await expect(
          a.commitFenced(batch({ messages: [message(1, 9)] }), fence('a#1', { 9: 1 })),
        ).rejects.toMatchObject({ code: 'ERR_STORE_FENCED' });
      });

      it('forgets a silent earlier incarnation of the same node id', async () => {
        await a.heartbeat({ nodeId: 'a', incarnation: 'a#1', advertise: 'a:1' }, LONG_LEASE_MS);
        await sleep(60);
        const view = await b.heartbeat({ nodeId: 'a', incarnation: 'a#2', advertise: 'a:2' }, 30);
        expect(view.liveMembers.map((m) => [m.nodeId, m.incarnation])).toEqual([['a', 'a#2']]);
        const later = await b.heartbeat({ nodeId: 'a', incarnation: 'a#2', advertise: 'a:2' }, LONG_LEASE_MS);
        expect(later.liveMembers.map((m) => m.incarnation)).toEqual(['a#2']);
      });

      it('frees released leases at once, and all leases of a node that leaves', async () => {
        await a.acquireLeases('a', [1, 2, 3], LONG_LEASE_MS);
        await b.releaseLeases('a', [1]); // any process may release on a node's behalf, but only the owner's lease
        await a.releaseLeases('b', [2]); // not b's: nothing happens
        expect((await b.acquireLeases('b', [1, 2], LONG_LEASE_MS)).map((l) => [l.keyGroup, l.epoch])).toEqual(
          [[1, 2]],
        );
        await a.leave('a');
        expect((await b.acquireLeases('b', [2, 3], LONG_LEASE_MS)).map((l) => [l.keyGroup, l.epoch])).toEqual(
          [
            [2, 2],
            [3, 2],
          ],
        );
      });
    });

    describe('fenced commits', () => {
      it('apply with the epochs held, and apply nothing once another node took a lease', async () => {
        await a.acquireLeases('a', [1, 2], LONG_LEASE_MS);
        await a.commitFenced(batch({ messages: [message(1, 1), message(2, 2)] }), fence('a', { 1: 1, 2: 1 }));
        await a.releaseLeases('a', [2]);
        await b.acquireLeases('b', [2], LONG_LEASE_MS);
        const err = await expectStoreError(
          a.commitFenced(
            batch({
              messages: [message(3, 1)],
              consumedMessages: [1],
              stateWrites: [
                {
                  keyGroup: 1,
                  address: CART,
                  name: 's',
                  value: { typename: 't', value: Uint8Array.of(1) },
                  expiresAt: undefined,
                },
              ],
              egress: [egress('Kim', 0)],
              positions: [{ ...POSITION, position: '4' }],
            }),
            fence('a', { 1: 1, 2: 1 }),
          ),
          'ERR_STORE_FENCED',
        );
        expect(err.message).toContain('2@1');
        expect((await b.loadMessages()).map((m) => m.seq)).toEqual([1, 2]);
        expect(await b.readState(CART)).toEqual([]);
        expect(await b.readEgress('example/out', 0, 10)).toEqual([]);
        expect(await b.loadConnectorPositions(POSITION.connector)).toEqual([]);
        // b, holding key group 2 at epoch 2, can consume from it.
        await b.commitFenced(batch({ consumedMessages: [2] }), fence('b', { 2: 2 }));
        expect((await a.loadMessages()).map((m) => m.seq)).toEqual([1]);
      });

      it('refuse a wrong epoch, an expired lease, and another node id', async () => {
        await a.acquireLeases('a', [1], LONG_LEASE_MS);
        await a.acquireLeases('a', [2], 30);
        await expectStoreError(
          a.commitFenced(batch({ messages: [message(1, 1)] }), fence('a', { 1: 2 })),
          'ERR_STORE_FENCED',
        );
        await expectStoreError(
          a.commitFenced(batch({ messages: [message(1, 1)] }), fence('b', { 1: 1 })),
          'ERR_STORE_FENCED',
        );
        await sleep(60);
        await expectStoreError(
          a.commitFenced(batch({ messages: [message(1, 1)] }), fence('a', { 2: 1 })),
          'ERR_STORE_FENCED',
        );
        expect(await a.countMessages()).toBe(0);
      });

      it('work without leases (ingress on any node), with idempotency keys', async () => {
        const result = await b.commitFenced(
          batch({
            ingress: [
              { message: message(7, 3), idempotencyKey: 'k' },
              { message: message(8, 3), idempotencyKey: 'k' },
            ],
            positions: [POSITION],
          }),
          fence('b', {}),
        );
        expect(result.ingress).toEqual([
          { seq: 7, duplicate: false },
          { seq: 7, duplicate: true },
        ]);
        expect(await a.loadConnectorPositions(POSITION.connector)).toEqual([POSITION]);
      });
    });

    it('enqueues an idempotency key once when several processes commit it at the same time', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `key-${String(i).padStart(2, '0')}`);
      // Four commits race for the same keys, two of them listing the keys in reverse order.
      const orders = [keys, [...keys].reverse(), keys, [...keys].reverse()];
      const results = await Promise.all(
        orders.map((order, c) =>
          (c % 2 === 0 ? a : b).commitFenced(
            batch({
              ingress: order.map((key, i) => ({
                message: message(1_000 * (c + 1) + i, 1),
                idempotencyKey: key,
              })),
            }),
            fence(`n${c}`, {}),
          ),
        ),
      );
      const seqOf = new Map<string, number>();
      for (const key of keys) {
        const outcomes = orders.map((order, c) => results[c]!.ingress[order.indexOf(key)]!);
        expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
        expect(new Set(outcomes.map((o) => o.seq)).size).toBe(1);
        seqOf.set(key, outcomes[0]!.seq);
      }
      expect((await a.loadMessages()).map((m) => m.seq)).toEqual([...seqOf.values()].sort((x, y) => x - y));
    });

    describe('ids and offsets across processes', () => {
      it('reserve seq and timer id blocks that never overlap and always increase', async () => {
        const blocks = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).allocateSeqBlock(1 + (i % 7) * 100)),
        );
        blocks.forEach((block, i) => expect(block.last - block.first + 1).toBe(1 + (i % 7) * 100));
        const sorted = [...blocks].sort((x, y) => x.first - y.first);
        sorted.forEach((block, i) => {
          if (i > 0) expect(block.first).toBe(sorted[i - 1]!.last + 1);
        });
        expect(sorted[0]!.first).toBe(1);
        const next = await a.allocateSeqBlock(10);
        expect(next.first).toBe(sorted.at(-1)!.last + 1);
        expect((await b.loadCounters()).maxMessageSeq).toBe(next.last);

        const t1 = await a.allocateTimerIdBlock(5);
        const t2 = await b.allocateTimerIdBlock(5);
        expect([t1, t2]).toEqual([
          { first: 1, last: 5 },
          { first: 6, last: 10 },
        ]);
      });

      it('assign contiguous egress offsets, in batch order, to concurrent commits of two processes', async () => {
        const commits = Array.from({ length: 16 }, (_, i) => {
          const producer = `p${i}`;
          const store = i % 2 === 0 ? a : b;
          return store.commitFenced(
            batch({ egress: [0, 1, 2].map((n) => egress(producer, n)) }),
            fence(`n${i}`, {}),
          );
        });
        await Promise.all(commits);
        const records = await a.readEgress('example/out', 0, 100);
        expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 48 }, (_, i) => i));
        const text = records.map((r) => new TextDecoder().decode(r.value.value));
        for (let i = 0; i < 48; i += 3) {
          const producer = text[i]!.split(':')[0]!;
          expect(text.slice(i, i + 3)).toEqual([0, 1, 2].map((n) => `${producer}:${n}`));
        }
        expect((await b.loadCounters()).egressNextOffsets.get('example/out')).toBe(48);
      });
    });

    describe('wake-ups', () => {
      it('announce the key groups of a commit by another process, and nothing of a failed commit', async () => {
        const listener = wakeUps();
        const unlisten = await b.listen(listener.onKeyGroups);
        await a.acquireLeases('a', [1], LONG_LEASE_MS);
        await expectStoreError(
          a.commitFenced(batch({ messages: [message(1, 9)] }), fence('a', { 1: 7 })),
          'ERR_STORE_FENCED',
        );
        await a.commitFenced(
          batch({ messages: [message(2, 4), message(3, 2)], timers: [timer(1, 11)] }),
          fence('a', { 1: 1 }),
        );
        await listener.until((all) => all.length > 0);
        // Notifications arrive in commit order: had the fenced commit announced anything, it would come first.
        expect(listener.received).toEqual([[2, 4, 11]]);
        await unlisten();
        await a.commitFenced(batch({ messages: [message(4, 5)] }), fence('a', {}));
        const second = wakeUps();
        const unlistenSecond = await b.listen(second.onKeyGroups);
        await a.commitFenced(batch({ messages: [message(5, 6)] }), fence('a', {}));
        await second.until((all) => all.length > 0);
        expect(second.received).toEqual([[6]]);
        expect(listener.received).toEqual([[2, 4, 11]]);
        await unlistenSecond();
      });
    });
  });
}
