/**
 * The bounded invocation slots of a dispatcher: at most `limit` holders invoke at once; the others wait in
 * arrival order.
 */
export class InvocationSlots<T> {
  readonly #limit: number;
  readonly #holders = new Set<T>();
  // A Set keeps insertion order: O(1) add, delete and take-first.
  readonly #waiting = new Set<T>();

  /** @param limit - slots available at once (≥ 1). */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Slots in use (may exceed the limit by forced holders). */
  get inUse(): number {
    return this.#holders.size;
  }

  /** Holders waiting for a slot. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Takes a slot for `holder` when one is free (or it holds one already); otherwise queues it (once) and
   * returns false.
   */
  tryTake(holder: T): boolean {
    if (this.#holders.has(holder)) return true;
    if (this.#holders.size >= this.#limit) {
      this.#waiting.add(holder);
      return false;
    }
    this.#waiting.delete(holder);
    this.#holders.add(holder);
    return true;
  }

  /** Gives `holder`'s slot back. @returns whether it held one. */
  release(holder: T): boolean {
    return this.#holders.delete(holder);
  }

  /** Removes and returns the longest-waiting holder while a slot is free; `undefined` otherwise. */
  nextWaiting(): T | undefined {
    if (this.#holders.size >= this.#limit) return undefined;
    const next = this.#waiting.values().next();
    if (next.done === true) return undefined;
    this.#waiting.delete(next.value);
    return next.value;
  }

  /** Stops the matching holders from waiting. */
  forgetWaiting(matches: (holder: T) => boolean): void {
    for (const h of this.#waiting) if (matches(h)) this.#waiting.delete(h);
  }

  /** Stops every holder from waiting. */
  clearWaiting(): void {
    this.#waiting.clear();
  }
}
