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
  #spare: Block | undefined;
  #fetching: Promise<void> | undefined;
  // Bumped by rotate(): a prefetch started before a rotation returns a lower block and must be dropped.
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
    this.#current = { first: b.first, next: b.first, last: b.last };
    this.#spare = undefined;
    this.#fetching = undefined;
    this.#prefetch();
  }

  next(): number {
    let block = this.#current;
    if (block === undefined || block.next > block.last) {
      block = this.#spare;
      this.#spare = undefined;
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
    // Reserve the next block when half of this one is used, so that allocation never waits.
    if (this.#spare === undefined && (block.next - block.first) * 2 >= block.last - block.first + 1)
      this.#prefetch();
    return id;
  }

  #prefetch(): void {
    if (this.#fetching !== undefined || this.#spare !== undefined) return;
    const rotation = this.#rotation;
    const fetching: Promise<void> = this.#reserve()
      .then((b) => {
        if (rotation === this.#rotation) this.#spare = { first: b.first, next: b.first, last: b.last };
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

  constructor(store: ClusterStore, options: BlockIdAllocatorOptions = {}) {
    const size = options.blockSize ?? 10_000;
    this.#seqs = new BlockStream(() => store.allocateSeqBlock(size), 'message seq');
    this.#timers = new BlockStream(() => store.allocateTimerIdBlock(size), 'timer id');
  }

  /** Starts fresh blocks (at start and after acquiring key groups). */
  async rotate(): Promise<void> {
    await Promise.all([this.#seqs.rotate(), this.#timers.rotate()]);
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
