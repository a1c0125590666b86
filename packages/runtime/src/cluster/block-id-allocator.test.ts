/**
 * BlockIdAllocator against a stand-in for the two id-block calls of a ClusterStore (the PostgreSQL store hands
 * out increasing blocks the same way): ids come from reserved blocks, the next block is reserved before the
 * current one runs out, and a rotation never falls back to a block reserved before it.
 */
import { describe, expect, it } from 'vitest';
import { StatehouseError } from '../errors.js';
import type { ClusterStore } from '../store/cluster-store.js';
import { BlockIdAllocator } from './block-id-allocator.js';

interface Block {
  readonly first: number;
  readonly last: number;
}

/** A reservation waiting for the test to answer it. */
interface Reservation {
  readonly size: number;
  block: Block | undefined;
  resolve(b: Block): void;
  reject(err: Error): void;
}

/**
 * Hands out increasing blocks, at once or (when `held`) only when the test grants the request. A block is fixed
 * when it is requested, or (when `fixOnGrant`) when it is granted: the database runs reservations sent on
 * different connections in any order.
 */
class BlockSource {
  readonly sizes: number[] = [];
  readonly #waiting: Reservation[] = [];
  #next = 1;
  held = false;
  fixOnGrant = false;

  reserve(size: number): Promise<Block> {
    this.sizes.push(size);
    const block = this.fixOnGrant && this.held ? undefined : this.#take(size);
    if (!this.held) return Promise.resolve(block!);
    return new Promise((resolve, reject) => this.#waiting.push({ size, block, resolve, reject }));
  }

  #take(size: number): Block {
    const block = { first: this.#next, last: this.#next + size - 1 };
    this.#next += size;
    return block;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Fixes the block of the request made `index`-th among those still waiting, without answering yet. */
  fix(index: number): void {
    const w = this.#waiting[index]!;
    w.block ??= this.#take(w.size);
  }

  /** Answers the request made `index`-th among those still waiting. */
  grant(index = 0): void {
    const [w] = this.#waiting.splice(index, 1);
    w!.resolve(w!.block ?? this.#take(w!.size));
  }

  fail(): void {
    this.#waiting.shift()!.reject(new Error('database restarting'));
  }
}

function setup(options: { blockSize?: number } = { blockSize: 4 }) {
  const seqs = new BlockSource();
  const timers = new BlockSource();
  const store: Pick<ClusterStore, 'allocateSeqBlock' | 'allocateTimerIdBlock'> = {
    allocateSeqBlock: (size) => seqs.reserve(size),
    allocateTimerIdBlock: (size) => timers.reserve(size),
  };
  const ids = new BlockIdAllocator({ store: store as ClusterStore }, options);
  return { ids, seqs, timers };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const take = (n: number, next: () => number): number[] => Array.from({ length: n }, next);

function exhaustion(next: () => number): StatehouseError {
  try {
    next();
  } catch (err) {
    expect(err).toBeInstanceOf(StatehouseError);
    return err as StatehouseError;
  }
  throw new Error(`an id was handed out`);
}

describe('BlockIdAllocator', () => {
  it('refuses ids, retryably, until a block is reserved, and reserves one meanwhile', async () => {
    const { ids, seqs } = setup();
    const err = exhaustion(() => ids.nextSeq());
    expect(err.code).toBe('ERR_ENGINE_IDS_EXHAUSTED');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('message seq');
    expect(exhaustion(() => ids.nextTimerId()).message).toContain('timer id');
    await settle();
    expect(seqs.sizes).toEqual([4]);
    expect(ids.nextSeq()).toBe(1);
  });

  it('hands out consecutive ids from the blocks, seqs and timer ids apart', async () => {
    const { ids, timers } = setup();
    for (let i = 0; i < 3; i++) await timers.reserve(4); // others took timer ids 1-12
    await ids.rotate();
    expect(take(3, () => ids.nextSeq())).toEqual([1, 2, 3]);
    expect(take(2, () => ids.nextTimerId())).toEqual([13, 14]);
  });

  it('reserves blocks of 10000 ids by default', async () => {
    const { ids, seqs, timers } = setup({});
    await ids.rotate();
    expect(seqs.sizes[0]).toBe(10_000);
    expect(timers.sizes[0]).toBe(10_000);
  });

  it('keeps the next block reserved, and reserves another once half of it is used', async () => {
    const { ids, seqs } = setup();
    await ids.rotate();
    await settle();
    expect(seqs.sizes).toHaveLength(2); // 1-4 in use, 5-8 in reserve
    expect(take(5, () => ids.nextSeq())).toEqual([1, 2, 3, 4, 5]);
    expect(seqs.sizes).toHaveLength(2);
    expect(ids.nextSeq()).toBe(6);
    expect(seqs.sizes).toHaveLength(3); // 9-12
    await settle();
    expect(take(6, () => ids.nextSeq())).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('makes as many ids available as ensure asks for, over several blocks', async () => {
    const { ids } = setup();
    await ids.rotate();
    await ids.ensure(11, 6);
    expect(take(11, () => ids.nextSeq())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(take(6, () => ids.nextTimerId())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('starts from a fresh block after a rotation, dropping the blocks reserved before', async () => {
    const { ids } = setup();
    await ids.rotate();
    await settle(); // 5-8 in reserve
    expect(ids.nextSeq()).toBe(1);
    await ids.rotate(); // 9-12
    expect(take(4, () => ids.nextSeq())).toEqual([9, 10, 11, 12]);
  });

  it('drops a block whose reservation was in flight when a rotation started', async () => {
    const { ids, seqs } = setup();
    await ids.rotate();
    await settle();
    seqs.held = true;
    take(6, () => ids.nextSeq()); // the reservation of 9-12 is in flight
    const rotation = ids.rotate(); // reserves 13-16
    seqs.grant(1);
    await rotation;
    seqs.grant(0); // 9-12 arrives after the rotation: lower than 13-16, so never used
    await settle();
    expect(take(4, () => ids.nextSeq())).toEqual([13, 14, 15, 16]);
    expect(seqs.waiting).toBe(1); // 17-20, reserved by the rotation
    expect(exhaustion(() => ids.nextSeq()).code).toBe('ERR_ENGINE_IDS_EXHAUSTED');
    seqs.grant();
    await settle();
    expect(ids.nextSeq()).toBe(17);
  });

  it('never hands out a lower id after a higher one, whatever order the database runs reservations in', async () => {
    const { ids, seqs } = setup();
    await ids.rotate(); // 1-4 in use, 5-8 in reserve
    await settle();
    seqs.held = true;
    seqs.fixOnGrant = true;
    const rotation = ids.rotate(); // its reservation is on its way
    // Meanwhile the old blocks run out and the next one is reserved (on another connection).
    expect(take(8, () => ids.nextSeq())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    exhaustion(() => ids.nextSeq());
    expect(seqs.waiting).toBe(2);
    seqs.fix(1); // the database runs the prefetch first: 9-12
    seqs.grant(0); // then the rotation's, 13-16, whose answer arrives first
    await rotation;
    seqs.grant(0); // now the prefetch's answer: 9-12, lower than the block in use
    await settle();
    expect(take(4, () => ids.nextSeq())).toEqual([13, 14, 15, 16]);
    // 9-12 is never used: the next ids come from the block the rotation reserved after it.
    expect(exhaustion(() => ids.nextSeq()).code).toBe('ERR_ENGINE_IDS_EXHAUSTED');
    seqs.grant();
    await settle();
    expect(ids.nextSeq()).toBe(17);
  });

  it('drops a late lower block also once the blocks in use ran out', async () => {
    const { ids, seqs } = setup();
    await ids.rotate(); // 1-4 in use, 5-8 in reserve
    await settle();
    seqs.held = true;
    seqs.fixOnGrant = true;
    const rotation = ids.rotate();
    expect(take(8, () => ids.nextSeq())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    exhaustion(() => ids.nextSeq());
    seqs.fix(1); // the prefetch runs first: 9-12
    seqs.grant(0); // the rotation's 13-16 is answered first
    await rotation;
    expect(take(4, () => ids.nextSeq())).toEqual([13, 14, 15, 16]);
    exhaustion(() => ids.nextSeq()); // 13-16 ran out before the prefetch's answer came
    seqs.grant(0); // 9-12 now: below ids handed out
    await settle();
    exhaustion(() => ids.nextSeq());
    while (seqs.waiting > 0) seqs.grant();
    await settle();
    expect(ids.nextSeq()).toBeGreaterThan(16);
  });

  it('drops a late lower block that ensure and a prefetch reserved in the other order', async () => {
    const { ids, seqs } = setup();
    await ids.rotate(); // 1-4 in use
    await settle(); // 5-8 in reserve
    seqs.held = true;
    seqs.fixOnGrant = true;
    const ensured = ids.ensure(9, 0); // 8 available: ensure reserves one more block
    expect(take(6, () => ids.nextSeq())).toEqual([1, 2, 3, 4, 5, 6]); // half of 5-8 used: a prefetch
    expect(seqs.waiting).toBe(2);
    seqs.fix(1); // the database runs the prefetch first: 9-12
    seqs.grant(0); // then ensure's: 13-16, answered first (ensure goes on reserving: 6 available)
    await settle();
    expect(take(6, () => ids.nextSeq())).toEqual([7, 8, 13, 14, 15, 16]);
    exhaustion(() => ids.nextSeq());
    seqs.grant(0); // the prefetch's 9-12 arrives now (ensure's next reservation still waits)
    await settle();
    while (seqs.waiting > 0) {
      seqs.grant();
      await settle();
    }
    await ensured;
    expect(ids.nextSeq()).toBeGreaterThan(16);
  });

  it('tries again after a failed reservation', async () => {
    const { ids, seqs } = setup();
    seqs.held = true;
    exhaustion(() => ids.nextSeq());
    seqs.fail();
    await settle();
    exhaustion(() => ids.nextSeq());
    expect(seqs.waiting).toBe(1);
    seqs.grant();
    await settle();
    expect(ids.nextSeq()).toBe(5);
  });

  it('leaves egress offsets to the store', () => {
    expect(setup().ids.nextEgressOffset()).toBe(0);
  });
});
