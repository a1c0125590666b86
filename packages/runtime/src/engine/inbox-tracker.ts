/**
 * The dispatcher reads inboxes from the store while messages also reach it directly (recovery and paging of
 * the backlog; in cluster mode, messages other processes add). The tracker remembers the seqs in memory, so a
 * read never delivers a message twice — including messages whose consumption is committing while the read's
 * snapshot is taken.
 */

/** Seqs delivered to mailboxes and not yet safe to forget. */
export class InboxTracker {
  // Delivered, consumption not committed yet: seq → key group (so a hand-over can forget them).
  readonly #pending = new Map<number, number>();
  // Consumption committed while a reload was running: that reload's snapshot may still hold the row.
  readonly #consumedDuringLoad = new Set<number>();
  #loads = 0;

  /**
   * Records a delivered seq.
   *
   * @returns false when it was delivered before and must not be delivered again.
   */
  delivered(seq: number, keyGroup: number): boolean {
    if (this.#pending.has(seq) || this.#consumedDuringLoad.has(seq)) return false;
    this.#pending.set(seq, keyGroup);
    return true;
  }

  /**
   * Forgets the seqs of key groups handed over (their unconsumed messages were dropped from the mailboxes
   * and stay in the store; if the key group comes back they must be delivered again).
   */
  dropKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const [seq, kg] of this.#pending) if (keyGroups.has(kg)) this.#pending.delete(seq);
  }

  /** Forgets seqs dropped from memory unconsumed (they stay in the store and may be delivered again). */
  forget(seqs: readonly number[]): void {
    for (const seq of seqs) this.#pending.delete(seq);
  }

  /** Records that the consumption of these seqs is committed. */
  consumed(seqs: readonly number[]): void {
    for (const seq of seqs) {
      this.#pending.delete(seq);
      // With no reload running, no snapshot can still hold these rows: forget them at once.
      if (this.#loads > 0) this.#consumedDuringLoad.add(seq);
    }
  }

  /** Marks the start of a reload (reloads must not overlap). */
  beginLoad(): void {
    this.#loads += 1;
  }

  /**
   * Filters a reload's rows to the ones not delivered before, then forgets seqs whose consumption is
   * committed (no later snapshot can contain them).
   */
  endLoad<T extends { seq: number }>(rows: readonly T[]): T[] {
    const fresh = rows.filter((r) => !this.#pending.has(r.seq) && !this.#consumedDuringLoad.has(r.seq));
    this.#loads -= 1;
    if (this.#loads === 0) this.#consumedDuringLoad.clear();
    return fresh;
  }

  /** Forgets everything (after a reset). */
  clear(): void {
    this.#pending.clear();
    this.#consumedDuringLoad.clear();
  }
}
