/**
 * Checks what the backlog function committed against what was posted: every accepted message exactly once,
 * each address's messages in the order they were accepted. Messages carry their seq at their address (from 0)
 * and an index across the run; the function's egress record adds `prev`, the seq its committed state held
 * before the message.
 */
import type { BacklogEvent } from './names.js';

/** What the egress showed, as counts. */
export interface BacklogCheck {
  /** Messages accepted by the ingress (202). */
  readonly accepted: number;
  /** Distinct messages seen in the egress. */
  readonly delivered: number;
  /** Records of a message seen before. */
  readonly duplicates: number;
  /** Accepted messages never seen. */
  readonly missing: number;
  /** First sightings whose seq was not the one after the previous first sighting at the same address. */
  readonly outOfOrder: number;
  /** Records whose `prev` (the committed state) was not `seq − 1`: a gap or a repeat the function saw. */
  readonly stateMismatches: number;
}

/** Per-address order and exactly-once of the backlog function's egress. */
export class BacklogChecker {
  readonly #seen: Uint8Array;
  readonly #accepted: Uint8Array;
  readonly #lastSeq: Int32Array;
  #acceptedCount = 0;
  #delivered = 0;
  #duplicates = 0;
  #outOfOrder = 0;
  #stateMismatches = 0;
  /** When the last first sighting arrived (bench clock, ms), NaN before any. */
  lastDeliveredAt = Number.NaN;
  /** When the first first sighting arrived, NaN before any. */
  firstDeliveredAt = Number.NaN;

  /**
   * @param messages - how many messages will be posted (indexes 0 … messages − 1).
   * @param addresses - how many addresses (ids `b0` … `b<addresses − 1>`).
   */
  constructor(messages: number, addresses: number) {
    this.#seen = new Uint8Array(messages);
    this.#accepted = new Uint8Array(messages);
    this.#lastSeq = new Int32Array(addresses).fill(-1);
  }

  /** Distinct messages seen so far. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Messages accepted so far. */
  get accepted(): number {
    return this.#acceptedCount;
  }

  /** Marks the message of `index` accepted by the ingress. */
  accept(index: number): void {
    if (this.#accepted[index] === 1) return;
    this.#accepted[index] = 1;
    this.#acceptedCount += 1;
  }

  /**
   * Checks one page of egress records.
   *
   * @param records - the records (JSON {@link BacklogEvent}).
   * @param at - when the page arrived.
   */
  observe(records: readonly { json?: unknown }[], at: number): void {
    for (const r of records) {
      const event = r.json as BacklogEvent | undefined;
      if (event === undefined) continue;
      if (event.prev !== event.seq - 1) this.#stateMismatches += 1;
      if (this.#seen[event.index] === 1) {
        this.#duplicates += 1;
        continue;
      }
      this.#seen[event.index] = 1;
      this.#delivered += 1;
      if (Number.isNaN(this.firstDeliveredAt)) this.firstDeliveredAt = at;
      this.lastDeliveredAt = at;
      const address = Number(event.id.slice(1));
      const last = this.#lastSeq[address] ?? -1;
      if (event.seq !== last + 1) this.#outOfOrder += 1;
      if (event.seq > last) this.#lastSeq[address] = event.seq;
    }
  }

  /** @returns the counts so far. */
  result(): BacklogCheck {
    let missing = 0;
    for (let i = 0; i < this.#accepted.length; i++) {
      if (this.#accepted[i] === 1 && this.#seen[i] !== 1) missing += 1;
    }
    return {
      accepted: this.#acceptedCount,
      delivered: this.#delivered,
      duplicates: this.#duplicates,
      missing,
      outOfOrder: this.#outOfOrder,
      stateMismatches: this.#stateMismatches,
    };
  }
}
