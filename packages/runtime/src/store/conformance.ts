/**
 * The conformance suite every {@link Store} implementation runs, so SQLite and PostgreSQL behave the same.
 * It imports vitest, so only test files may import it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { FunctionAddress } from '../core/address.js';
import { StoreError } from '../errors.js';
import { describeConnectorPositionConformance } from './connector-positions-conformance.js';
import { describeInboxConformance } from './inbox-conformance.js';
import { EMPTY_COMMIT_BATCH } from './store.js';
import type {
  CommitBatch,
  DeadLetter,
  EgressAppend,
  IngressWrite,
  StateWrite,
  Store,
  StoredMessage,
  StoredState,
  StoredTimer,
} from './store.js';

/** What the suite gets for each test: a fresh, unopened store on empty storage. */
export interface StoreConformanceContext {
  /** A new store on empty storage, not opened yet. */
  readonly store: Store;
  /** A new, unopened store on the same storage (the test closes the previous one first). */
  readonly reopen: () => Promise<Store>;
  /** Closes every store still open and deletes the storage. */
  readonly cleanup: () => Promise<void>;
}

const META = { keyGroups: 16, hash: 'murmur3_x86_32(utf8("namespace/name/id"))' } as const;
const CART: FunctionAddress = { type: 'example/cart', id: 'Kim' };
const CART_2: FunctionAddress = { type: 'example/cart', id: 'Lee' };
const INVENTORY: FunctionAddress = { type: 'example/inventory', id: '' };

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const list = (value: Uint8Array): number[] => Array.from(value);
const batch = (parts: Partial<CommitBatch>): CommitBatch => ({ ...EMPTY_COMMIT_BATCH, ...parts });

function message(seq: number, parts: Partial<StoredMessage> = {}): StoredMessage {
  return {
    seq,
    keyGroup: 1,
    target: CART,
    caller: undefined,
    argument: { typename: 'example/AddToCart', value: bytes(seq % 256, 7) },
    enqueuedAt: 1_000 + seq,
    ...parts,
  };
}

function ingress(seq: number, idempotencyKey: string | undefined): IngressWrite {
  return { message: message(seq), idempotencyKey };
}

function timer(id: number, parts: Partial<StoredTimer> = {}): StoredTimer {
  return {
    id,
    keyGroup: 1,
    fireAt: 5_000,
    sender: CART,
    token: undefined,
    target: INVENTORY,
    argument: { typename: 'example/Timeout', value: bytes(id % 256) },
    ...parts,
  };
}

function write(name: string, value: Uint8Array | undefined, expiresAt?: number): StateWrite {
  return {
    keyGroup: 1,
    address: CART,
    name,
    value: value === undefined ? undefined : { typename: 'example/Items', value },
    expiresAt,
  };
}

function egress(egressId: string, offset: number): EgressAppend {
  return {
    egressId,
    offset,
    producer: CART,
    value: { typename: 'example/AddToCartResult', value: bytes(offset % 256) },
    createdAt: 2_000 + offset,
  };
}

/** A message with its bytes as a number array, for deep equality across Buffer and Uint8Array. */
const plainMessage = (m: StoredMessage): unknown => ({
  ...m,
  argument: { ...m.argument, value: list(m.argument.value) },
});
const plainTimer = (t: StoredTimer): unknown => ({
  ...t,
  argument: { ...t.argument, value: list(t.argument.value) },
});
/** State values sorted by name: the interface does not fix their order. */
const readState = async (store: Store, address: FunctionAddress): Promise<StoredState[]> =>
  [...(await store.readState(address))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const seqs = (messages: readonly StoredMessage[]): number[] => messages.map((m) => m.seq);
const ids = (timers: readonly StoredTimer[]): number[] => timers.map((t) => t.id);

async function expectStoreError(promise: Promise<unknown>, code?: string): Promise<StoreError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  if (code !== undefined) expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

/**
 * Declares the conformance tests of a {@link Store} implementation.
 *
 * @param name - the implementation, shown in test names.
 * @param createStore - makes a fresh, unopened store on empty storage for each test.
 * @example
 * ```ts
 * describeStoreConformance('SqliteStore', async () => { ... return { store, reopen, cleanup }; });
 * ```
 */
export function describeStoreConformance(
  name: string,
  createStore: () => Promise<StoreConformanceContext>,
): void {
  describe(`Store conformance: ${name}`, () => {
    let ctx: StoreConformanceContext;
    let store: Store;

    beforeEach(async () => {
      ctx = await createStore();
      store = ctx.store;
      await store.open(META);
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    /** Closes the current store and opens a new one on the same storage. */
    async function reopen(): Promise<Store> {
      await store.close();
      store = await ctx.reopen();
      await store.open(META);
      return store;
    }

    describe('trace context', () => {
      it('keeps the traceparent of messages, timers and egress records, and none where none was given', async () => {
        const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        await store.commit(
          batch({
            ingress: [{ message: message(1, { traceparent: tp }), idempotencyKey: undefined }],
            messages: [message(2, { traceparent: tp }), message(3)],
            timers: [timer(1, { traceparent: tp }), timer(2)],
            egress: [{ ...egress('example/out', 0), traceparent: tp }, egress('example/out', 1)],
          }),
        );
        await reopen();
        expect((await store.loadMessages()).map((m) => m.traceparent)).toEqual([tp, tp, undefined]);
        expect((await store.loadInboxPage(0, 10)).map((m) => m.traceparent)).toEqual([tp, tp, undefined]);
        expect((await store.loadAddressInbox(CART, 10)).map((m) => m.traceparent)).toEqual([
          tp,
          tp,
          undefined,
        ]);
        expect((await store.loadTimers()).map((t) => t.traceparent)).toEqual([tp, undefined]);
        expect((await store.readEgress('example/out', 0, 10)).map((e) => e.traceparent)).toEqual([
          tp,
          undefined,
        ]);
      });
    });

    describe('open and close', () => {
      it('returns the recorded metadata, again after reopening', async () => {
        await store.close();
        store = await ctx.reopen();
        const meta = await store.open(META);
        expect(meta).toMatchObject({ keyGroups: META.keyGroups, hash: META.hash });
        expect(meta.schemaVersion).toBeGreaterThanOrEqual(1);
      });

      it('refuses other key groups, naming both values', async () => {
        await store.close();
        store = await ctx.reopen();
        const err = await expectStoreError(store.open({ ...META, keyGroups: 32 }), 'ERR_STORE_META_MISMATCH');
        expect(err.message).toContain('16');
        expect(err.message).toContain('32');
      });

      it('refuses another hash, naming both values', async () => {
        await store.close();
        store = await ctx.reopen();
        const err = await expectStoreError(store.open({ ...META, hash: 'fnv1a' }), 'ERR_STORE_META_MISMATCH');
        expect(err.message).toContain(META.hash);
        expect(err.message).toContain('fnv1a');
      });

      it('fails calls after close', async () => {
        await store.close();
        await expectStoreError(store.loadMessages());
        await expectStoreError(store.commit(batch({ messages: [message(1)] })));
      });
    });

    describe('ingress idempotency', () => {
      it('enqueues a key once across commits and returns the first seq', async () => {
        const first = await store.commit(batch({ ingress: [ingress(1, 'k1')] }));
        const second = await store.commit(batch({ ingress: [ingress(2, 'k1')] }));
        expect(first.ingress).toEqual([{ seq: 1, duplicate: false }]);
        expect(second.ingress).toEqual([{ seq: 1, duplicate: true }]);
        expect(seqs(await store.loadMessages())).toEqual([1]);
        expect(await store.countMessages()).toBe(1);
        expect(await store.ingressSeqOf('k1')).toBe(1);
        expect(await store.ingressSeqOf('k2')).toBeUndefined();
      });

      it('counts a duplicate inside one batch, and leaves writes without a key alone', async () => {
        const result = await store.commit(
          batch({
            ingress: [ingress(3, 'k'), ingress(4, 'k'), ingress(5, undefined), ingress(6, undefined)],
          }),
        );
        expect(result.ingress).toEqual([
          { seq: 3, duplicate: false },
          { seq: 3, duplicate: true },
          { seq: 5, duplicate: false },
          { seq: 6, duplicate: false },
        ]);
        expect(seqs(await store.loadMessages())).toEqual([3, 5, 6]);
      });

      it('remembers a key after its message is consumed, until pruned', async () => {
        await store.commit(
          batch({ ingress: [{ message: message(1, { enqueuedAt: 100 }), idempotencyKey: 'old' }] }),
        );
        await store.commit(
          batch({ ingress: [{ message: message(2, { enqueuedAt: 300 }), idempotencyKey: 'new' }] }),
        );
        await store.commit(batch({ consumedMessages: [1, 2] }));
        expect((await store.commit(batch({ ingress: [ingress(3, 'old')] }))).ingress).toEqual([
          { seq: 1, duplicate: true },
        ]);
        expect(await store.pruneIdempotencyKeys(200)).toBe(1);
        const after = await store.commit(batch({ ingress: [ingress(4, 'old'), ingress(5, 'new')] }));
        expect(after.ingress).toEqual([
          { seq: 4, duplicate: false },
          { seq: 2, duplicate: true },
        ]);
      });
    });

    describe('messages', () => {
      it('load in seq order with every field, filtered by key groups', async () => {
        const withCaller = message(9, { keyGroup: 3, caller: CART_2, target: INVENTORY });
        await store.commit(batch({ messages: [message(5), withCaller, message(2, { keyGroup: 2 })] }));
        expect((await store.loadMessages()).map(plainMessage)).toEqual(
          [message(2, { keyGroup: 2 }), message(5), withCaller].map(plainMessage),
        );
        expect(seqs(await store.loadMessages([3, 1]))).toEqual([5, 9]);
        expect(seqs(await store.loadMessages([2]))).toEqual([2]);
        expect(await store.loadMessages([])).toEqual([]);
      });

      it('disappear once consumed, also when enqueued and consumed in one batch', async () => {
        await store.commit(batch({ messages: [message(1), message(2), message(3)] }));
        await store.commit(batch({ messages: [message(4)], consumedMessages: [1, 3, 4] }));
        expect(seqs(await store.loadMessages())).toEqual([2]);
        expect(await store.countMessages()).toBe(1);
      });
    });

    describe('state', () => {
      it('upserts, deletes and keeps the last write of a batch', async () => {
        await store.commit(
          batch({ stateWrites: [write('a', bytes(1)), write('b', bytes(2)), write('c', bytes(3))] }),
        );
        await store.commit(
          batch({
            stateWrites: [
              write('a', bytes(10)),
              write('a', bytes(11)),
              write('b', bytes(20)),
              write('b', undefined),
              write('c', undefined),
              write('c', bytes(30)),
              write('missing', undefined),
            ],
          }),
        );
        const values = await readState(store, CART);
        expect(values.map((s) => [s.name, list(s.value)])).toEqual([
          ['a', [11]],
          ['c', [30]],
        ]);
        expect(values[0]?.typename).toBe('example/Items');
        expect(await store.readState(CART_2)).toEqual([]);
      });

      it('keeps a zero-length value present', async () => {
        await store.commit(batch({ stateWrites: [write('empty', new Uint8Array(0))] }));
        const [value] = await reopen().then((s) => s.readState(CART));
        expect(value?.name).toBe('empty');
        expect(value?.value).toBeInstanceOf(Uint8Array);
        expect(value?.value.byteLength).toBe(0);
      });

      it('round-trips expiresAt, including clearing it', async () => {
        await store.commit(
          batch({ stateWrites: [write('ttl', bytes(1), 9_000), write('forever', bytes(2))] }),
        );
        let values = await readState(store, CART);
        expect(values.map((s) => [s.name, s.expiresAt])).toEqual([
          ['forever', undefined],
          ['ttl', 9_000],
        ]);
        await store.commit(batch({ stateWrites: [write('ttl', bytes(3))] }));
        values = await readState(store, CART);
        expect(values.find((s) => s.name === 'ttl')?.expiresAt).toBeUndefined();
      });

      it('prunes values that expired before now', async () => {
        await store.commit(
          batch({
            stateWrites: [write('a', bytes(1), 100), write('b', bytes(2), 200), write('c', bytes(3))],
          }),
        );
        expect(await store.pruneExpiredState(200)).toBe(1);
        expect((await readState(store, CART)).map((s) => s.name)).toEqual(['b', 'c']);
        expect(await store.pruneExpiredState(201)).toBe(1);
        expect((await readState(store, CART)).map((s) => s.name)).toEqual(['c']);
      });
    });

    describe('timers', () => {
      it('load by fireAt then id with every field, filtered by key groups', async () => {
        const tokened = timer(7, { fireAt: 100, token: 'tok', keyGroup: 4, sender: CART_2 });
        await store.commit(
          batch({ timers: [timer(3, { fireAt: 200 }), timer(9, { fireAt: 100 }), tokened] }),
        );
        expect((await store.loadTimers()).map(plainTimer)).toEqual(
          [tokened, timer(9, { fireAt: 100 }), timer(3, { fireAt: 200 })].map(plainTimer),
        );
        expect(ids(await store.loadTimers([1]))).toEqual([9, 3]);
        expect(await store.loadTimers([])).toEqual([]);
      });

      it('removes fired timers, and lets a fired token be reused in the same batch', async () => {
        await store.commit(batch({ timers: [timer(1, { token: 't' }), timer(2)] }));
        await store.commit(batch({ firedTimers: [1], timers: [timer(3, { token: 't' })] }));
        expect(ids(await store.loadTimers())).toEqual([2, 3]);
      });

      it("cancels only the sender's timer with that token", async () => {
        await store.commit(
          batch({
            timers: [
              timer(1, { token: 't', sender: CART }),
              timer(2, { token: 't', sender: CART_2 }),
              timer(3, { token: 'u', sender: CART }),
              timer(4, { sender: CART }),
            ],
          }),
        );
        await store.commit(
          batch({
            cancellations: [
              { sender: CART, token: 't' },
              { sender: CART, token: 'none' },
            ],
          }),
        );
        expect(ids(await store.loadTimers())).toEqual([2, 3, 4]);
      });

      it('applies cancellations before new timers, so a cancelled token can be reused in one batch', async () => {
        await store.commit(batch({ timers: [timer(1, { token: 't' })] }));
        await store.commit(
          batch({ cancellations: [{ sender: CART, token: 't' }], timers: [timer(2, { token: 't' })] }),
        );
        expect(ids(await store.loadTimers())).toEqual([2]);
      });

      it('refuses a second pending timer with the same sender and token', async () => {
        await store.commit(batch({ timers: [timer(1, { token: 't' })] }));
        await expectStoreError(
          store.commit(batch({ timers: [timer(2, { token: 't' })] })),
          'ERR_STORE_CONSTRAINT',
        );
        expect(ids(await store.loadTimers())).toEqual([1]);
      });
    });

    describe('egress, specs and dead letters', () => {
      it('appends and reads egress records from an offset with a limit', async () => {
        await store.commit(batch({ egress: [0, 1, 2, 3, 4].map((o) => egress('example/out', o)) }));
        await store.commit(batch({ egress: [egress('example/other', 0)] }));
        const page = await store.readEgress('example/out', 2, 2);
        expect(page.map((r) => ({ ...r, value: { ...r.value, value: list(r.value.value) } }))).toEqual(
          [2, 3].map((o) => {
            const e = egress('example/out', o);
            return { ...e, value: { ...e.value, value: list(e.value.value) } };
          }),
        );
        expect((await store.readEgress('example/out', 4, 10)).map((r) => r.offset)).toEqual([4]);
        expect(await store.readEgress('example/out', 5, 10)).toEqual([]);
        expect(await store.readEgress('example/unknown', 0, 10)).toEqual([]);
      });

      it('trims the oldest egress records in bounded steps, keeps offsets, and reports the retained range', async () => {
        await store.commit(batch({ egress: [0, 1, 2, 3, 4, 5].map((o) => egress('example/out', o)) }));
        expect(await store.readEgressRange('example/out')).toEqual({
          firstOffset: 0,
          nextOffset: 6,
          oldestCreatedAt: 2_000,
        });
        expect(await store.readEgressRange('example/unknown')).toEqual({
          firstOffset: 0,
          nextOffset: 0,
          oldestCreatedAt: undefined,
        });
        // createdAt is 2000 + offset: the first record created at or after 2003 is offset 3.
        expect(await store.findEgressOffsetSince('example/out', 2_003)).toBe(3);
        expect(await store.findEgressOffsetSince('example/out', 9_999)).toBe(6);
        expect(await store.trimEgress('example/out', 4, 3)).toBe(3); // at most 3 rows per call
        expect((await store.readEgressRange('example/out')).firstOffset).toBe(3);
        expect(await store.trimEgress('example/out', 4, 3)).toBe(1);
        expect(await store.trimEgress('example/out', 2, 3)).toBe(0); // never backwards
        expect((await store.readEgress('example/out', 0, 10)).map((r) => r.offset)).toEqual([4, 5]);
        expect(await store.readEgressRange('example/out')).toEqual({
          firstOffset: 4,
          nextOffset: 6,
          oldestCreatedAt: 2_004,
        });
        // Everything trimmed (capped at the next offset): offsets continue after a reopen, never reused.
        expect(await store.trimEgress('example/out', 100, 100)).toBe(2);
        expect(await (await reopen()).readEgressRange('example/out')).toEqual({
          firstOffset: 6,
          nextOffset: 6,
          oldestCreatedAt: undefined,
        });
        expect((await store.loadCounters()).egressNextOffsets.get('example/out')).toBe(6);
      });

      it('measures its space, probes a write, and reclaims space', async () => {
        const space = await store.measureSpace();
        expect(space.storeBytes).toBeGreaterThan(0);
        await store.probeWrite();
        expect(await store.reclaimSpace(1 << 20)).toBeGreaterThanOrEqual(0);
      });

      it('upserts and loads function specs', async () => {
        const spec = { functionType: 'example/cart', stateName: 'items', typename: 'example/Items' } as const;
        await store.commit(batch({ specs: [{ ...spec, expireMode: 'NONE', expireAfterMs: 0 }] }));
        await store.commit(
          batch({
            specs: [
              { ...spec, expireMode: 'AFTER_WRITE', expireAfterMs: 60_000 },
              {
                functionType: 'example/inventory',
                stateName: 'stock',
                typename: 'io.statefun.types/int',
                expireMode: 'AFTER_INVOKE',
                expireAfterMs: 5,
              },
            ],
          }),
        );
        const specs = await store.loadFunctionSpecs();
        expect([...specs].sort((a, b) => a.functionType.localeCompare(b.functionType))).toEqual([
          { ...spec, expireMode: 'AFTER_WRITE', expireAfterMs: 60_000 },
          {
            functionType: 'example/inventory',
            stateName: 'stock',
            typename: 'io.statefun.types/int',
            expireMode: 'AFTER_INVOKE',
            expireAfterMs: 5,
          },
        ]);
      });

      it('stores dead letters with their messages, oldest first', async () => {
        const messages = [
          message(1, { caller: CART_2 }),
          message(2, { argument: { typename: 'x/y', value: bytes() } }),
        ];
        const letters: Omit<DeadLetter, 'id'>[] = [
          { address: CART, messages, reason: 'HTTP 500 after 10 attempts', createdAt: 10 },
          {
            address: INVENTORY,
            messages: [message(3, { target: INVENTORY })],
            reason: 'timeout',
            createdAt: 11,
          },
        ];
        await store.commit(batch({ deadLetters: [letters[0]!] }));
        await store.commit(batch({ deadLetters: [letters[1]!] }));
        const listed = await store.listDeadLetters(10);
        expect(listed.map((d) => ({ ...d, id: undefined, messages: d.messages.map(plainMessage) }))).toEqual(
          letters.map((d) => ({ ...d, id: undefined, messages: d.messages.map(plainMessage) })),
        );
        expect(listed[1]!.id).toBeGreaterThan(listed[0]!.id);
        expect((await store.listDeadLetters(1)).map((d) => d.reason)).toEqual(['HTTP 500 after 10 attempts']);
      });

      it('reads one dead letter, and removes it with the messages of its replay at most once', async () => {
        await store.commit(
          batch({
            consumedMessages: [],
            deadLetters: [{ address: CART, messages: [message(1)], reason: 'r', createdAt: 5 }],
          }),
        );
        const [letter] = await store.listDeadLetters(10);
        expect((await store.readDeadLetter(letter!.id))?.reason).toBe('r');
        expect(await store.readDeadLetter(letter!.id + 1000)).toBeUndefined();
        const replay = batch({ messages: [message(7), message(8)], removedDeadLetters: [letter!.id] });
        await store.commit(replay);
        expect((await store.loadMessages()).map((m) => m.seq)).toEqual([7, 8]);
        expect(await store.readDeadLetter(letter!.id)).toBeUndefined();
        // Repeated: refused as a whole, nothing inserted twice.
        await expectStoreError(
          store.commit(batch({ messages: [message(9)], removedDeadLetters: [letter!.id] })),
          'ERR_STORE_DEAD_LETTER_GONE',
        );
        expect((await store.loadMessages()).map((m) => m.seq)).toEqual([7, 8]);
        expect(await store.listDeadLetters(10)).toEqual([]);
      });

      it("keeps the traceparent of a dead letter's messages, and none where none was given", async () => {
        const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        await store.commit(
          batch({
            deadLetters: [
              {
                address: CART,
                messages: [message(1, { traceparent: tp }), message(2)],
                reason: 'r',
                createdAt: 5,
              },
            ],
          }),
        );
        const [letter] = await store.listDeadLetters(10);
        expect(letter!.messages.map((m) => m.traceparent)).toEqual([tp, undefined]);
        expect((await store.readDeadLetter(letter!.id))!.messages.map((m) => m.traceparent)).toEqual([
          tp,
          undefined,
        ]);
      });
    });

    describe('counters', () => {
      it('start at zero', async () => {
        const counters = await store.loadCounters();
        expect(counters.maxMessageSeq).toBe(0);
        expect(counters.maxTimerId).toBe(0);
        expect(counters.egressNextOffsets.size).toBe(0);
      });

      it('never go backwards, also after everything is consumed and the store reopened', async () => {
        await store.commit(
          batch({
            ingress: [ingress(12, 'key')],
            messages: [message(10), message(11)],
            timers: [timer(40), timer(41)],
            egress: [egress('example/out', 0), egress('example/out', 1), egress('example/other', 0)],
          }),
        );
        let counters = await store.loadCounters();
        expect([counters.maxMessageSeq, counters.maxTimerId]).toEqual([12, 41]);
        expect(Object.fromEntries(counters.egressNextOffsets)).toEqual({
          'example/out': 2,
          'example/other': 1,
        });
        await store.commit(batch({ consumedMessages: [10, 11, 12], firedTimers: [40, 41] }));
        expect(await store.pruneIdempotencyKeys(Number.MAX_SAFE_INTEGER)).toBe(1);
        counters = await (await reopen()).loadCounters();
        expect(counters.maxMessageSeq).toBe(12);
        expect(counters.maxTimerId).toBeGreaterThanOrEqual(41);
        expect(Object.fromEntries(counters.egressNextOffsets)).toEqual({
          'example/out': 2,
          'example/other': 1,
        });
      });
    });

    describe('atomicity and durability', () => {
      it('applies nothing of a batch that fails midway, and stays usable', async () => {
        await store.commit(
          batch({
            messages: [message(1)],
            timers: [timer(1)],
            stateWrites: [write('a', bytes(1))],
            egress: [egress('example/out', 0)],
          }),
        );
        const failing = batch({
          specs: [
            {
              functionType: 'example/cart',
              stateName: 'a',
              typename: 't',
              expireMode: 'NONE',
              expireAfterMs: 0,
            },
          ],
          ingress: [ingress(50, 'fresh')],
          messages: [message(51)],
          consumedMessages: [1],
          firedTimers: [1],
          timers: [timer(60)],
          stateWrites: [write('a', bytes(9)), write('b', bytes(9))],
          egress: [egress('example/out', 1), egress('example/out', 0)],
        });
        const err = await expectStoreError(store.commit(failing), 'ERR_STORE_CONSTRAINT');
        expect(err.retryable).toBe(false);
        expect(seqs(await store.loadMessages())).toEqual([1]);
        expect(ids(await store.loadTimers())).toEqual([1]);
        expect((await readState(store, CART)).map((s) => [s.name, list(s.value)])).toEqual([['a', [1]]]);
        expect((await store.readEgress('example/out', 0, 10)).map((r) => r.offset)).toEqual([0]);
        expect(await store.loadFunctionSpecs()).toEqual([]);
        const counters = await store.loadCounters();
        expect([counters.maxMessageSeq, counters.maxTimerId]).toEqual([1, 1]);
        const retried = await store.commit(batch({ ...failing, egress: [egress('example/out', 1)] }));
        expect(retried.ingress).toEqual([{ seq: 50, duplicate: false }]);
        expect(seqs(await store.loadMessages())).toEqual([50, 51]);
      });

      it('keeps everything committed across close and reopen', async () => {
        await store.commit(
          batch({
            specs: [
              {
                functionType: 'example/cart',
                stateName: 'items',
                typename: 't',
                expireMode: 'NONE',
                expireAfterMs: 0,
              },
            ],
            ingress: [ingress(1, 'k')],
            messages: [message(2, { caller: CART_2 })],
            timers: [timer(5, { token: 'tok' })],
            stateWrites: [write('items', bytes(1, 2, 3), 7_000)],
            egress: [egress('example/out', 0)],
            deadLetters: [{ address: CART, messages: [message(3)], reason: 'r', createdAt: 1 }],
          }),
        );
        const s = await reopen();
        expect((await s.loadMessages()).map(plainMessage)).toEqual(
          [message(1), message(2, { caller: CART_2 })].map(plainMessage),
        );
        expect((await s.loadTimers()).map(plainTimer)).toEqual([plainTimer(timer(5, { token: 'tok' }))]);
        const state = await readState(s, CART);
        expect(state.map((v) => [v.name, v.typename, list(v.value), v.expiresAt])).toEqual([
          ['items', 'example/Items', [1, 2, 3], 7_000],
        ]);
        expect(await s.readEgress('example/out', 0, 10)).toHaveLength(1);
        expect(await s.loadFunctionSpecs()).toHaveLength(1);
        expect(await s.listDeadLetters(10)).toHaveLength(1);
        expect((await s.commit(batch({ ingress: [ingress(9, 'k')] }))).ingress).toEqual([
          { seq: 1, duplicate: true },
        ]);
      });
    });
  });
  describeInboxConformance(name, createStore);
  describeConnectorPositionConformance(name, createStore);
}
