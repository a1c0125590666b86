/**
 * The dispatcher reads inboxes from the store while messages also reach it directly (recovery and paging of
 * the backlog; in cluster mode, messages other processes add). The tracker remembers the seqs in memory, so a
 * read never delivers a message twice — including messages whose consumption is committing while the read's
 * snapshot is taken.
 */

/** A read of the store in progress (see {@link InboxTracker.beginLoad}). */
export interface LoadToken {
  readonly startedAt: number;
}

/** Seqs delivered to mailboxes and not yet safe to forget. */
export class InboxTracker {
  // Delivered, consumption not committed yet: seq → key group (so a hand-over can forget them).
  readonly #pending = new Map<number, number>();
  // Consumption committed while a read was running: seq → when (a counter). A read whose snapshot started
  // before may still hold the row. Entries older than every running read are forgotten, so reads that overlap
  // without end (many addresses paging at once) never let this grow.
  readonly #consumedAt = new Map<number, number>();
  readonly #loads = new Set<LoadToken>();
  #clock = 0;

  /**
   * Records a delivered seq.
   *
   * @returns false when it was delivered before and must not be delivered again.
   */
  delivered(seq: number, keyGroup: number): boolean {
    if (this.#pending.has(seq) || this.#consumedAt.has(seq)) return false;
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
    this.#clock += 1;
    for (const seq of seqs) {
      this.#pending.delete(seq);
      // With no read running, no snapshot can still hold these rows: forget them at once.
      if (this.#loads.size > 0) this.#consumedAt.set(seq, this.#clock);
    }
  }

  /** Marks the start of a read of the store; pass the token to {@link InboxTracker.endLoad}. */
  beginLoad(): LoadToken {
    const token = { startedAt: this.#clock };
    this.#loads.add(token);
    return token;
  }

  /**
   * Filters a read's rows to the ones not delivered before (nor consumed while it ran), then forgets
   * consumptions that no running read can hold.
   */
  endLoad<T extends { seq: number }>(token: LoadToken, rows: readonly T[]): T[] {
    const fresh = rows.filter((r) => !this.#pending.has(r.seq) && !this.#consumedAt.has(r.seq));
    this.#loads.delete(token);
    if (this.#loads.size === 0) {
      this.#consumedAt.clear();
    } else {
      let oldest = Infinity;
      for (const load of this.#loads) oldest = Math.min(oldest, load.startedAt);
      // Consumed before every running read started: those reads' snapshots cannot hold the rows.
      for (const [seq, at] of this.#consumedAt) if (at <= oldest) this.#consumedAt.delete(seq);
    }
    return fresh;
  }

  /** Forgets everything (after a reset). */
  clear(): void {
    this.#pending.clear();
    this.#consumedAt.clear();
  }
}
