/**
 * The bounded invocation slots of a dispatcher: at most `limit` holders invoke at once; the others wait in
 * arrival order. Holders belong to groups (function types), and one group holds at most `groupLimit` slots, so
 * a function type whose calls hang cannot take every slot from the others.
 */

/** How holders are grouped, and how many slots one group may hold. */
export interface SlotGroups<T> {
  readonly groupOf: (holder: T) => string;
  readonly groupLimit: number;
}

/** Bounded slots, shared fairly between groups. */
export class InvocationSlots<T> {
  readonly #limit: number;
  readonly #groups: SlotGroups<T> | undefined;
  readonly #holders = new Set<T>();
  readonly #heldByGroup = new Map<string, number>();
  // Sets keep insertion order: O(1) add, delete and take-first. Holders whose group freed a slot come first.
  readonly #ready = new Set<T>();
  readonly #waiting = new Set<T>();
  // Holders waiting because their group holds its share, per group.
  readonly #groupWaiting = new Map<string, Set<T>>();

  /**
   * @param options.limit - slots available at once (≥ 1).
   * @param options.groups - how holders are grouped; without it, one group holds every slot.
   */
  constructor(options: { readonly limit: number; readonly groups?: SlotGroups<T> }) {
    this.#limit = options.limit;
    this.#groups = options.groups;
  }

  /** Slots in use (may exceed the limit by forced holders). */
  get inUse(): number {
    return this.#holders.size;
  }

  /** Holders waiting for a slot. */
  get waiting(): number {
    let n = this.#ready.size + this.#waiting.size;
    for (const set of this.#groupWaiting.values()) n += set.size;
    return n;
  }

  /** Slots the holders of `group` hold. */
  heldBy(group: string): number {
    return this.#heldByGroup.get(group) ?? 0;
  }

  /**
   * Takes a slot for `holder` when one is free and its group is below its share (or it holds one already);
   * otherwise queues it (once) and returns false.
   */
  tryTake(holder: T): boolean {
    if (this.#holders.has(holder)) return true;
    const group = this.#groups?.groupOf(holder) ?? '';
    if (this.#groupIsFull(group)) {
      this.#unqueue(holder, group);
      this.#groupQueue(group).add(holder);
      return false;
    }
    if (this.#holders.size >= this.#limit) {
      if (!this.#ready.has(holder)) this.#waiting.add(holder);
      return false;
    }
    this.#unqueue(holder, group);
    this.#holders.add(holder);
    this.#heldByGroup.set(group, this.heldBy(group) + 1);
    return true;
  }

  /** Gives `holder`'s slot back. @returns whether it held one. */
  release(holder: T): boolean {
    if (!this.#holders.delete(holder)) return false;
    const group = this.#groups?.groupOf(holder) ?? '';
    const held = this.heldBy(group) - 1;
    if (held > 0) this.#heldByGroup.set(group, held);
    else this.#heldByGroup.delete(group);
    // The group is below its share again: its longest-waiting holder competes for a free slot first.
    const queue = this.#groupWaiting.get(group);
    const first = queue?.values().next();
    if (queue !== undefined && first !== undefined && first.done !== true) {
      queue.delete(first.value);
      if (queue.size === 0) this.#groupWaiting.delete(group);
      this.#ready.add(first.value);
    }
    return true;
  }

  /** Removes and returns the longest-waiting holder that may take a free slot; `undefined` otherwise. */
  nextWaiting(): T | undefined {
    while (this.#holders.size < this.#limit) {
      const from = this.#ready.size > 0 ? this.#ready : this.#waiting;
      const next = from.values().next();
      if (next.done === true) return undefined;
      from.delete(next.value);
      const group = this.#groups?.groupOf(next.value) ?? '';
      if (!this.#groupIsFull(group)) return next.value;
      this.#groupQueue(group).add(next.value);
    }
    return undefined;
  }

  /** Stops the matching holders from waiting. */
  forgetWaiting(matches: (holder: T) => boolean): void {
    for (const set of [this.#ready, this.#waiting, ...this.#groupWaiting.values()]) {
      for (const h of set) if (matches(h)) set.delete(h);
    }
  }

  /** Stops every holder from waiting. */
  clearWaiting(): void {
    this.#ready.clear();
    this.#waiting.clear();
    this.#groupWaiting.clear();
  }

  #groupIsFull(group: string): boolean {
    return this.#groups !== undefined && this.heldBy(group) >= this.#groups.groupLimit;
  }

  #groupQueue(group: string): Set<T> {
    let queue = this.#groupWaiting.get(group);
    if (queue === undefined) this.#groupWaiting.set(group, (queue = new Set()));
    return queue;
  }

  #unqueue(holder: T, group: string): void {
    // Nobody waits, the usual case: nothing to look up (this runs for every slot taken).
    if (this.#ready.size === 0 && this.#waiting.size === 0 && this.#groupWaiting.size === 0) return;
    this.#ready.delete(holder);
    this.#waiting.delete(holder);
    this.#groupWaiting.get(group)?.delete(holder);
  }
}
