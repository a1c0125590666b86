/**
 * Cluster mode reloads inboxes from the store when other processes add messages. The tracker remembers the
 * seqs this process already delivered, so a reload never delivers a message twice — including messages
 * whose consumption is committing while the reload's snapshot is taken.
 */
const PENDING = Number.POSITIVE_INFINITY;

/** Seqs delivered to mailboxes, with the generation at which their consumption was committed. */
export class InboxTracker {
  // seq → PENDING while not consumed, else the generation of the commit that consumed it.
  readonly #known = new Map<number, number>();
  // seq → key group, for seqs still pending, so a handed-over key group's messages can be delivered again
  // if it comes back.
  readonly #groupOf = new Map<number, number>();
  #generation = 0;
  #loads = 0;

  /** Number of tracked seqs. */
  get size(): number {
    return this.#known.size;
  }

  /**
   * Records a delivered seq.
   *
   * @returns false when it was delivered before and must not be delivered again.
   */
  delivered(seq: number, keyGroup: number): boolean {
    if (this.#known.has(seq)) return false;
    this.#known.set(seq, PENDING);
    this.#groupOf.set(seq, keyGroup);
    return true;
  }

  /**
   * Forgets the seqs of key groups handed over (their unconsumed messages were dropped from the mailboxes
   * and stay in the store; if the key group comes back they must be delivered again).
   */
  dropKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const [seq, kg] of this.#groupOf) {
      if (keyGroups.has(kg) && this.#known.get(seq) === PENDING) {
        this.#known.delete(seq);
        this.#groupOf.delete(seq);
      }
    }
  }

  /** Records that the consumption of these seqs is committed. */
  consumed(seqs: readonly number[]): void {
    this.#generation += 1;
    for (const seq of seqs) {
      this.#groupOf.delete(seq);
      // With no reload running, no snapshot can still hold these rows: forget them at once.
      if (this.#loads === 0) this.#known.delete(seq);
      else this.#known.set(seq, this.#generation);
    }
  }

  /** Marks the start of a reload. @returns a token for {@link InboxTracker.endLoad}. */
  beginLoad(): number {
    this.#loads += 1;
    return this.#generation;
  }

  /**
   * Filters a reload's rows to the ones not delivered before, then forgets seqs whose consumption is
   * committed (no later snapshot can contain them). Reloads must not overlap.
   */
  endLoad<T extends { seq: number }>(_token: number, rows: readonly T[]): T[] {
    const fresh = rows.filter((r) => !this.#known.has(r.seq));
    this.#loads -= 1;
    if (this.#loads === 0) for (const [seq, gen] of this.#known) if (gen !== PENDING) this.#known.delete(seq);
    return fresh;
  }

  /** Forgets everything (after a reset). */
  clear(): void {
    this.#known.clear();
    this.#groupOf.clear();
  }
}
