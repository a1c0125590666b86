/**
 * Ids for cluster mode: message seqs and timer ids come in blocks reserved from the shared store, so they
 * are unique across processes. Each new seq block is greater than every block reserved before by anyone;
 * taking a fresh block after acquiring key groups keeps FIFO per sender across ownership changes.
 */
import type { IdSource } from '../engine/id-allocator.js';
import { StatehouseError } from '../errors.js';
import type { ClusterStore } from '../store/cluster-store.js';

interface Block {
  readonly first: number;
  next: number;
  readonly last: number;
}

/** Options of {@link BlockIdAllocator}. */
export interface BlockIdAllocatorOptions {
  /** Ids per block. @default 10000 */
  readonly blockSize?: number;
}

class BlockStream {
  #current: Block | undefined;
  // Reserved blocks not used yet, lowest first (ids must keep increasing for FIFO per sender).
  #ready: Block[] = [];
  #fetching: Promise<void> | undefined;
  // The last id handed out: ids only ever increase (FIFO per sender).
  #handedOut = 0;
  // Bumped by rotate(): a block reserved before a rotation is lower than the rotated one and must be dropped.
  #rotation = 0;
  readonly #reserve: () => Promise<{ first: number; last: number }>;
  readonly #what: string;

  constructor(reserve: () => Promise<{ first: number; last: number }>, what: string) {
    this.#reserve = reserve;
    this.#what = what;
  }

  async rotate(): Promise<void> {
    this.#rotation += 1;
    const rotation = this.#rotation;
    const b = await this.#reserve();
    if (rotation !== this.#rotation) return;
    // A block reserved after this one and answered first is in use already: it is as fresh, keep it.
    if (b.first <= this.#handedOut) return;
    this.#current = { first: b.first, next: b.first, last: b.last };
    this.#ready = [];
    this.#fetching = undefined;
    this.#prefetch();
  }

  /** Ids available without waiting. */
  get available(): number {
    let n = this.#current === undefined ? 0 : this.#current.last - this.#current.next + 1;
    for (const b of this.#ready) n += b.last - b.next + 1;
    return n;
  }

  /** Reserves blocks until `count` ids are available (a reply with more messages than a block holds). */
  async ensure(count: number): Promise<void> {
    while (this.available < count) {
      const rotation = this.#rotation;
      const b = await this.#reserve();
      if (rotation === this.#rotation) this.#add(b);
    }
  }

  next(): number {
    let block = this.#current;
    if (block === undefined || block.next > block.last) {
      block = this.#ready.shift();
      this.#current = block;
      if (block === undefined) {
        this.#prefetch();
        throw new StatehouseError(
          'ERR_ENGINE_IDS_EXHAUSTED',
          `no ${this.#what} block is reserved yet; the batch is retried`,
          {
            retryable: true,
          },
        );
      }
    }
    const id = block.next++;
    this.#handedOut = id;
    // Reserve the next block when half of this one is used, so that allocation never waits.
    if (this.#ready.length === 0 && (block.next - block.first) * 2 >= block.last - block.first + 1)
      this.#prefetch();
    return id;
  }

  #add(b: { first: number; last: number }): void {
    // Reserved before the block in use or an id handed out (the database ran reservations in another order
    // than their answers came, e.g. a prefetch and a rotation's): its ids would be lower than ones handed out.
    if (b.first <= Math.max(this.#handedOut, this.#current?.last ?? 0)) return;
    this.#ready.push({ first: b.first, next: b.first, last: b.last });
    this.#ready.sort((x, y) => x.first - y.first);
  }

  #prefetch(): void {
    if (this.#fetching !== undefined || this.#ready.length > 0) return;
    const rotation = this.#rotation;
    const fetching: Promise<void> = this.#reserve()
      .then((b) => {
        if (rotation === this.#rotation) this.#add(b);
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.#fetching === fetching) this.#fetching = undefined;
      });
    this.#fetching = fetching;
  }
}

/** Block-based {@link IdSource} for processes sharing one store. */
export class BlockIdAllocator implements IdSource {
  readonly #seqs: BlockStream;
  readonly #timers: BlockStream;

  /** @param deps.store - the shared store the blocks are reserved from. */
  constructor(deps: { readonly store: ClusterStore }, options: BlockIdAllocatorOptions = {}) {
    const { store } = deps;
    const size = options.blockSize ?? 10_000;
    this.#seqs = new BlockStream(() => store.allocateSeqBlock(size), 'message seq');
    this.#timers = new BlockStream(() => store.allocateTimerIdBlock(size), 'timer id');
  }

  /** Starts fresh blocks (at start and after acquiring key groups). */
  async rotate(): Promise<void> {
    await Promise.all([this.#seqs.rotate(), this.#timers.rotate()]);
  }

  /** Reserves enough ids for a reply with this many messages and delayed messages. */
  async ensure(seqs: number, timerIds: number): Promise<void> {
    await Promise.all([this.#seqs.ensure(seqs), this.#timers.ensure(timerIds)]);
  }

  nextSeq(): number {
    return this.#seqs.next();
  }

  nextTimerId(): number {
    return this.#timers.next();
  }

  nextEgressOffset(): number {
    // The shared store assigns egress offsets at commit.
    return 0;
  }
}
