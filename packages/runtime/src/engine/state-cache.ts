/**
 * In-memory state of the addresses this process owns: authoritative while owned, including effects not
 * yet committed (speculation). Bounded: idle addresses whose effects are all committed are evicted, least
 * recently used first.
 */
import { addressKey, keyGroupOf, type FunctionAddress } from '../core/address.js';
import type { Store, StoredState } from '../store/store.js';

/** The cached state values of one address, by state name. */
export type AddressState = Map<string, StoredState>;

interface Entry {
  readonly state: AddressState;
  readonly keyGroup: number;
  /** Commit generation of the last effects written to this entry; evictable once committed. */
  dirtyGeneration: number;
  /** Number of invocations currently using this entry. */
  pins: number;
}

/** LRU cache of address state in front of the store. */
export class StateCache {
  readonly #store: Store;
  readonly #maxEntries: number;
  readonly #keyGroups: number;
  // Map iteration order is insertion order: re-inserting on use makes the first key the least recent.
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, { readonly promise: Promise<Entry>; readonly keyGroup: number }>();
  #committedGeneration = 0;
  // Bumped by clear() and, per key group, by evictKeyGroups(): a read that started before either may carry
  // state that is stale by the time it returns (another process may have written the address meanwhile), so it
  // is handed to its (abandoned) caller but never cached.
  #epoch = 0;
  readonly #keyGroupEpochs = new Map<number, number>();

  /**
   * @param deps.store - where state is read from.
   * @param options.maxEntries - addresses kept at most (least recently used first out).
   * @param options.keyGroups - key groups of the deployment (to evict by key group).
   */
  constructor(
    deps: { readonly store: Store },
    options: { readonly maxEntries: number; readonly keyGroups: number },
  ) {
    this.#store = deps.store;
    this.#maxEntries = options.maxEntries;
    this.#keyGroups = options.keyGroups;
  }

  /** Number of cached addresses. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Returns the state of an address, reading it from the store on a miss, and pins it until `release`.
   */
  async acquire(address: FunctionAddress): Promise<AddressState> {
    return this.tryAcquire(address) ?? this.#load(address);
  }

  /**
   * Returns the state of an address when it is cached, pinned until `release`, without waiting: a batch of a
   * cached address (the usual case) takes no promise for its state.
   *
   * @param key - the address's {@link addressKey}, when the caller has it at hand.
   * @returns the state, or `undefined` when it is not cached (then call {@link StateCache.acquire}).
   */
  tryAcquire(address: FunctionAddress, key = addressKey(address)): AddressState | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    entry.pins += 1;
    return entry.state;
  }

  /** Reads an address's state from the store (sharing a read in flight), caches it and pins it. */
  async #load(address: FunctionAddress): Promise<AddressState> {
    const key = addressKey(address);
    let loading = this.#loading.get(key);
    if (loading === undefined) {
      const keyGroup = keyGroupOf(address, this.#keyGroups);
      const epoch = this.#epoch;
      const keyGroupEpoch = this.#keyGroupEpochs.get(keyGroup) ?? 0;
      const isCurrent = (): boolean =>
        epoch === this.#epoch && keyGroupEpoch === (this.#keyGroupEpochs.get(keyGroup) ?? 0);
      const promise: Promise<Entry> = this.#store.readState(address).then(
        (rows) => {
          const e: Entry = {
            state: new Map(rows.map((r) => [r.name, r])),
            keyGroup,
            dirtyGeneration: 0,
            pins: 0,
          };
          if (this.#loading.get(key)?.promise === promise) this.#loading.delete(key);
          if (isCurrent()) this.#entries.set(key, e);
          return e;
        },
        (err: unknown) => {
          // A failed read (database restarting) must not stick: the next acquire reads again.
          if (this.#loading.get(key)?.promise === promise) this.#loading.delete(key);
          throw err;
        },
      );
      loading = { promise, keyGroup };
      this.#loading.set(key, loading);
    }
    const entry = await loading.promise;
    entry.pins += 1;
    return entry.state;
  }

  /**
   * Unpins an address's state.
   *
   * @param state - what {@link StateCache.acquire} returned (an entry dropped meanwhile is left alone).
   * @param generation - commit generation of the effects just written to it, if any.
   * @param key - the address's {@link addressKey}, when the caller has it at hand.
   */
  release(
    address: FunctionAddress,
    state: AddressState,
    generation?: number,
    key = addressKey(address),
  ): void {
    const entry = this.#entries.get(key);
    if (entry?.state !== state) return;
    entry.pins -= 1;
    if (generation !== undefined) entry.dirtyGeneration = generation;
    this.#evict();
  }

  /** Marks every write up to `generation` as committed, making those entries evictable. */
  markCommitted(generation: number): void {
    this.#committedGeneration = generation;
    this.#evict();
  }

  /**
   * Drops the entries of key groups handed over to another process, or just acquired (what was cached of them
   * before may be stale), and makes reads of them in flight land uncached.
   */
  evictKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const kg of keyGroups) this.#keyGroupEpochs.set(kg, (this.#keyGroupEpochs.get(kg) ?? 0) + 1);
    for (const [key, entry] of this.#entries) if (keyGroups.has(entry.keyGroup)) this.#entries.delete(key);
    for (const [key, loading] of this.#loading)
      if (keyGroups.has(loading.keyGroup)) this.#loading.delete(key);
  }

  /**
   * Drops one address's entry, pinned or not: its uncommitted effects were refused, and the next read comes
   * from the store. The caller holds the address (one invocation at a time) and does not release it after this.
   */
  discard(address: FunctionAddress): void {
    this.#entries.delete(addressKey(address));
  }

  /** Drops everything (after a fencing abort or a failed commit). */
  clear(): void {
    this.#epoch += 1;
    this.#entries.clear();
    this.#loading.clear();
  }

  #evict(): void {
    if (this.#entries.size <= this.#maxEntries) return;
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) return;
      if (entry.pins === 0 && entry.dirtyGeneration <= this.#committedGeneration) this.#entries.delete(key);
    }
  }
}
