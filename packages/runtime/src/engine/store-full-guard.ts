/**
 * Keeps the runtime up while the store's disk is full: remembers since when (ingress answers 503, `/readyz`
 * says `store-full`), and probes with a tiny write until the store accepts writes again, then lets the
 * runtime reload and go on, without a restart.
 */
import type { Logger } from 'pino';
import { sleep, type Clock, type TimerHandle } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { isStoreFull } from './committer.js';
import type { RuntimeMetrics } from './metrics.js';

/** How often a full store is probed with a tiny write, ms. */
const PROBE_INTERVAL_MS = 1_000;
/** Free bytes a full store's file system needs again before processing resumes (SQLite; not visible for PostgreSQL). */
const RESUME_FREE_BYTES = 4 * 1024 * 1024;

/** Collaborators of the guard. */
export interface StoreFullGuardDeps {
  readonly clock: Clock;
  readonly store: Store;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  /** Whether probing should go on (the runtime is running). */
  readonly isRunning: () => boolean;
  /** The store writes again: reload what was dropped. The guard clears once it resolves. */
  readonly onWritable: () => Promise<void>;
}

/** Since when, and why, the store is full. */
export interface StoreFullState {
  readonly since: number;
  readonly message: string;
}

/** Tracks a full store and probes until it writes again. */
export class StoreFullGuard {
  readonly #deps: StoreFullGuardDeps;
  #full: StoreFullState | undefined;
  #probe: TimerHandle | undefined;

  constructor(deps: StoreFullGuardDeps) {
    this.#deps = deps;
  }

  /** Set while the store's disk is full. */
  get state(): StoreFullState | undefined {
    return this.#full;
  }

  /**
   * Opens the store. A full disk does not stop the start: the open is tried again every second until it
   * succeeds, or until `isStarting` turns false (the runtime was closed).
   */
  async open<T>(open: () => Promise<T>, isStarting: () => boolean): Promise<T> {
    for (;;) {
      try {
        const opened = await open();
        this.#clear();
        return opened;
      } catch (err) {
        if (!isStoreFull(err) || !isStarting()) throw err;
        if (this.#full === undefined) {
          this.#deps.log.error(
            { err: err.message },
            'the store cannot be opened: its disk is full; retrying every second',
          );
          this.#mark(err.message);
        }
        await sleep(this.#deps.clock, PROBE_INTERVAL_MS);
      }
    }
  }

  /** The store reported a full disk: remember it and probe until it writes again. */
  enter(err: { readonly message: string }): void {
    if (this.#full === undefined) {
      this.#mark(err.message);
      this.#deps.log.error(
        { err: err.message },
        'the store is full: ingress answers 503 and invocations pause until space is freed (reads keep working)',
      );
    }
    if (this.#probe === undefined) this.#scheduleProbe();
  }

  /** Stops probing. */
  stop(): void {
    if (this.#probe !== undefined) this.#deps.clock.clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  #mark(message: string): void {
    this.#full = { since: this.#deps.clock.now(), message };
    this.#deps.metrics.storeFull.set(1);
  }

  #clear(): void {
    if (this.#full === undefined) return;
    this.#full = undefined;
    this.#deps.metrics.storeFull.set(0);
  }

  #scheduleProbe(): void {
    this.#probe = this.#deps.clock.setTimeout(() => {
      this.#runProbe().catch((err: unknown) =>
        this.#deps.log.error({ err }, 'resuming after a full store failed'),
      );
    }, PROBE_INTERVAL_MS);
  }

  async #runProbe(): Promise<void> {
    if (!this.#deps.isRunning()) return;
    try {
      // Resume only with room to work: a tiny write can succeed while real commits still fail.
      const { freeBytes } = await this.#deps.store.measureSpace();
      if (freeBytes !== undefined && freeBytes < RESUME_FREE_BYTES)
        throw new Error(`only ${freeBytes} bytes free`);
      await this.#deps.store.probeWrite();
    } catch {
      this.#scheduleProbe();
      return;
    }
    this.#probe = undefined;
    await this.#deps.onWritable();
    const pausedMs = this.#deps.clock.now() - (this.#full?.since ?? this.#deps.clock.now());
    this.#clear();
    this.#deps.log.info({ pausedMs }, 'the store accepts writes again; resuming');
  }
}
