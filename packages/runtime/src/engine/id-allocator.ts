import type { StoreCounters } from '../store/store.js';

/**
 * Allocates message seqs, timer ids and egress offsets in memory, continuing from the store's counters.
 * Allocation happens before the commit; commits are ordered and a failed commit stops the process, so
 * egress offsets stay contiguous.
 */
export class IdAllocator {
  #seq: number;
  #timer: number;
  readonly #egress: Map<string, number>;

  constructor(counters: StoreCounters) {
    this.#seq = counters.maxMessageSeq;
    this.#timer = counters.maxTimerId;
    this.#egress = new Map(counters.egressNextOffsets);
  }

  /** The next message seq. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** The next timer id. */
  nextTimerId(): number {
    return ++this.#timer;
  }

  /** The next offset of an egress. */
  nextEgressOffset(egressId: string): number {
    const next = this.#egress.get(egressId) ?? 0;
    this.#egress.set(egressId, next + 1);
    return next;
  }
}
