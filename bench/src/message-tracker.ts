/**
 * Tracks counter messages by sequence number from ingress to egress: which were accepted, which came out of
 * the egress and when, duplicates, and end-to-end latency (egress page arrival − `sentAt`).
 */
import { LatencyHistogram } from './histogram.js';

const ACCEPTED = 1;
const REJECTED = 2;

/** A measurement window on the bench clock: [start, end). Infinite bounds until the load sets them. */
export interface Window {
  start: number;
  end: number;
}

/** Per-seq bookkeeping of one workload's messages. */
export class MessageTracker {
  #ack = new Uint8Array(1 << 16);
  #seen = new Uint8Array(1 << 16);
  #sentAt = new Float64Array(1 << 16);
  #nextSeq = 0;
  #rejected = 0;
  readonly #waiters = new Map<number, (at: number) => void>();
  /** The window whose messages are measured; set before the load starts. */
  readonly window: Window = { start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY };
  /** End-to-end latency of messages sent inside the window. */
  readonly e2e = new LatencyHistogram();
  /** Records whose page arrived inside the window (end-to-end throughput). */
  egressedInWindow = 0;
  /** Records seen in total (first sightings only). */
  egressed = 0;
  /** Records seen twice or more. */
  duplicates = 0;
  /** Messages sent inside the window and accepted. */
  acceptedOfWindow = 0;
  /** Messages sent inside the window that came out of the egress. */
  egressedOfWindow = 0;
  /** Time the last first sighting arrived. */
  lastEgressAt = Number.NaN;

  /**
   * Allocates the next sequence number and remembers when it was sent.
   *
   * @param sentAt - the bench clock time put into the message.
   * @returns the seq.
   */
  register(sentAt: number): number {
    const seq = this.#nextSeq++;
    if (seq >= this.#ack.length) this.#grow();
    this.#sentAt[seq] = sentAt;
    return seq;
  }

  /** Marks a message accepted (202) or rejected by the ingress. */
  acknowledge(seq: number, isAccepted: boolean): void {
    this.#ack[seq] = isAccepted ? ACCEPTED : REJECTED;
    if (!isAccepted) this.#rejected += 1;
    if (isAccepted && this.#inWindow(this.#sentAt[seq]!)) this.acceptedOfWindow += 1;
  }

  /**
   * Records one egress record.
   *
   * @param seq - the record's seq.
   * @param sentAt - the record's `sentAt` (copied by the function from the message).
   * @param at - when its page arrived.
   */
  observe(seq: number, sentAt: number, at: number): void {
    if (seq < 0 || seq >= this.#nextSeq) return;
    if (this.#seen[seq] === 1) {
      this.duplicates += 1;
      return;
    }
    this.#seen[seq] = 1;
    this.egressed += 1;
    this.lastEgressAt = at;
    if (this.#inWindow(at)) this.egressedInWindow += 1;
    if (this.#inWindow(sentAt)) {
      this.egressedOfWindow += 1;
      this.e2e.record(at - sentAt);
    }
    const waiter = this.#waiters.get(seq);
    if (waiter !== undefined) {
      this.#waiters.delete(seq);
      waiter(at);
    }
  }

  /**
   * Waits until the record of `seq` was seen.
   *
   * @returns when its page arrived.
   */
  waitFor(seq: number): Promise<number> {
    return new Promise((resolve) => this.#waiters.set(seq, resolve));
  }

  /** Messages registered and neither seen in the egress nor rejected (in flight somewhere). */
  get outstanding(): number {
    return this.#nextSeq - this.egressed - this.#rejected;
  }

  /** Whether every accepted message sent in the window came out of the egress. */
  get isWindowDrained(): boolean {
    return this.egressedOfWindow >= this.acceptedOfWindow;
  }

  /**
   * Gives up on accepted window messages not seen by `at`: each counts in the latency histogram with the
   * lower bound `at − sentAt`.
   *
   * @returns how many there were.
   */
  closeUnseen(at: number): number {
    let unseen = 0;
    for (let seq = 0; seq < this.#nextSeq; seq++) {
      const sentAt = this.#sentAt[seq]!;
      if (this.#ack[seq] === ACCEPTED && this.#seen[seq] !== 1 && this.#inWindow(sentAt)) {
        unseen += 1;
        this.e2e.record(at - sentAt);
      }
    }
    return unseen;
  }

  #inWindow(t: number): boolean {
    return t >= this.window.start && t < this.window.end;
  }

  #grow(): void {
    const size = this.#ack.length * 2;
    const ack = new Uint8Array(size);
    ack.set(this.#ack);
    const seen = new Uint8Array(size);
    seen.set(this.#seen);
    const sentAt = new Float64Array(size);
    sentAt.set(this.#sentAt);
    this.#ack = ack;
    this.#seen = seen;
    this.#sentAt = sentAt;
  }
}
