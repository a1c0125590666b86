/**
 * A single process on its own store (SQLite): it serves every key group. Recovery fills the mailboxes from the
 * store and arms the timers; voided work and a full disk drop what is in memory and load it again, as a
 * restart would, without stopping.
 */
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import type { Store } from '../store/store.js';
import { dropInMemoryState, type InMemoryEngine } from './drop-in-memory-state.js';
import type { IdAllocator } from './id-allocator.js';
import type { ProcessMode } from './process-mode.js';

/** Collaborators of the single-process mode. */
export interface SingleProcessDeps {
  readonly store: Store;
  readonly engine: InMemoryEngine;
  readonly ids: IdAllocator;
  readonly log: Logger;
  /** A reload failed: the runtime cannot go on in place. */
  readonly onFatal: (err: unknown) => void;
  /** Whether the runtime still serves (a reload queued behind a failure or a stop is skipped). */
  readonly isServing: () => boolean;
}

/** Serves every key group of its own store. */
export class SingleProcessMode implements ProcessMode {
  readonly #deps: SingleProcessDeps;
  readonly #keyGroups: number;
  // Reloads and drops run one after the other.
  #reloading: Promise<void> = Promise.resolve();
  #stopped = false;

  /** @param options.keyGroups - number of key groups of the deployment. */
  constructor(deps: SingleProcessDeps, options: { readonly keyGroups: number }) {
    this.#deps = deps;
    this.#keyGroups = options.keyGroups;
  }

  readonly isHealthy = true;

  get ownedKeyGroups(): number {
    return this.#keyGroups;
  }

  async start(): Promise<Readonly<Record<string, number>>> {
    const loaded = await this.#load();
    return { pendingTimers: loaded.timers };
  }

  stop(): Promise<void> {
    this.#stopped = true;
    return this.#reloading;
  }

  owns(): boolean {
    return true;
  }

  keyGroupFilter(): undefined {
    return undefined;
  }

  isLeader(): boolean {
    return true;
  }

  voided(): void {
    this.#reload('effects the store refused were voided');
  }

  storeFull(err: StoreError): void {
    this.#serially(() => dropInMemoryState(this.#deps.engine, err));
  }

  storeWritable(): Promise<void> {
    this.#reload('the store accepts writes again');
    return this.#reloading;
  }

  /**
   * Arms the timers and lets the dispatcher read the inbox from the store as memory allows (readiness waits for
   * neither the backlog nor the first invocations).
   */
  async #load(): Promise<{ timers: number }> {
    const { store, engine } = this.#deps;
    const timers = await store.loadTimers();
    engine.timers.arm(timers);
    engine.dispatcher.rescan();
    return { timers: timers.length };
  }

  /** Drops everything in memory and loads it again from the store. */
  #reload(reason: string): void {
    this.#serially(async () => {
      const { store, engine, ids, log } = this.#deps;
      const voided = new StoreError('ERR_STORE_COMMIT_FAILED', 'voided: the runtime reloads from the store', {
        retryable: true,
      });
      await dropInMemoryState(engine, voided);
      ids.reset(await store.loadCounters());
      // Submissions (ingress) stay refused until everything is loaded: a message committed meanwhile would be
      // both loaded and delivered by its ingress request.
      const loaded = await this.#load();
      engine.committer.resume();
      log.warn(
        { pendingTimers: loaded.timers, reason },
        'reloading pending messages and timers from the store',
      );
    });
  }

  #serially(work: () => Promise<void>): void {
    this.#reloading = this.#reloading
      .then(() => (this.#stopped || !this.#deps.isServing() ? undefined : work()))
      .catch((err: unknown) => this.#deps.onFatal(err));
  }
}
