import type { StoreCounters } from '../store/store.js';

/** Where the engine gets message seqs, timer ids and egress offsets from. */
export interface IdSource {
  /** The next message seq. */
  nextSeq(): number;
  /** The next timer id. */
  nextTimerId(): number;
  /** The next offset of an egress (a placeholder in cluster mode, where the store assigns offsets). */
  nextEgressOffset(egressId: string): number;
  /** Makes this many seqs and timer ids available without waiting (ids come in blocks in cluster mode). */
  ensure?(seqs: number, timerIds: number): Promise<void>;
}

/**
 * Allocates message seqs, timer ids and egress offsets in memory, continuing from the store's counters
 * (single process). Allocation happens before the commit; commits are ordered and a failed commit stops the
 * process, so egress offsets stay contiguous.
 */
export class IdAllocator implements IdSource {
  #seq = 0;
  #timer = 0;
  #egress = new Map<string, number>();

  constructor(counters: StoreCounters) {
    this.reset(counters);
  }

  /**
   * Continues from the store's counters again, after uncommitted work was dropped (so that egress offsets stay
   * contiguous: what was taken for the dropped work is taken again).
   */
  reset(counters: StoreCounters): void {
    this.#seq = Math.max(this.#seq, counters.maxMessageSeq);
    this.#timer = Math.max(this.#timer, counters.maxTimerId);
    this.#egress = new Map(counters.egressNextOffsets);
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  nextTimerId(): number {
    return ++this.#timer;
  }

  nextEgressOffset(egressId: string): number {
    const next = this.#egress.get(egressId) ?? 0;
    this.#egress.set(egressId, next + 1);
    return next;
  }
}
