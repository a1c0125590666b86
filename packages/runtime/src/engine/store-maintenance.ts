/**
 * Keeps the store bounded, off the hot path: egress retention, pruning of expired idempotency keys and state,
 * giving freed space back to the file system, and measuring disk space (metrics, and a warning when free space
 * runs low). Each step fails on its own (logged, tried again next round); rounds never overlap.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { EgressRetention } from '../egress/egress-retention.js';
import type { Store } from '../store/store.js';
import type { RuntimeMetrics } from './metrics.js';

/** Collaborators of {@link StoreMaintenance}. */
export interface StoreMaintenanceDeps {
  readonly store: Store;
  readonly retention: EgressRetention;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  /** What rounds are timed by, and what ages and expiry are measured on. @default systemClock */
  readonly clock?: Clock;
}

/** Settings of {@link StoreMaintenance}. */
export interface StoreMaintenanceOptions {
  readonly egressIds: readonly string[];
  readonly intervalMs: number;
  readonly idempotencyWindowMs: number;
  readonly lowSpaceBytes: number;
}

/** Bytes of freed pages given back per round at most (more waits for the next round). */
const RECLAIM_PER_ROUND_BYTES = 256 * 1024 * 1024;

/** Periodic store maintenance. */
export class StoreMaintenance {
  readonly #deps: StoreMaintenanceDeps;
  readonly #o: StoreMaintenanceOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  #timer: TimerHandle | undefined;
  #isStopped = false;
  #running: Promise<void> | undefined;
  #isLowSpace = false;

  constructor(deps: StoreMaintenanceDeps, options: StoreMaintenanceOptions) {
    this.#deps = deps;
    this.#o = options;
    this.#clock = deps.clock ?? systemClock;
    this.#log = deps.log.child({ component: 'maintenance' });
  }

  /** Runs a first round now (measurements for /metrics) and then every interval. */
  start(): void {
    // Re-armed before each round, so rounds start every interval however long one takes (a round still running
    // is joined, never doubled).
    const tick = (): void => {
      if (this.#isStopped) return;
      this.#timer = this.#clock.setTimeout(tick, this.#o.intervalMs);
      void this.runOnce();
    };
    tick();
  }

  /** Stops and waits for a round in progress. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round; a round already running is joined, not doubled. Never rejects. */
  runOnce(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #round(): Promise<void> {
    const { store, retention, metrics } = this.#deps;
    const now = (): number => this.#clock.now();
    let deleted = 0;
    await this.#step('egress retention', async () => {
      for (const n of (await retention.runOnce()).values()) deleted += n;
    });
    await this.#step('pruning idempotency keys and expired state', async () => {
      deleted += await store.pruneIdempotencyKeys(now() - this.#o.idempotencyWindowMs);
      deleted += await store.pruneExpiredState(now());
    });
    if (deleted > 0) {
      await this.#step('giving freed space back', async () => {
        metrics.spaceReclaimed.inc(await store.reclaimSpace(RECLAIM_PER_ROUND_BYTES));
      });
    }
    await this.#step('measuring space', async () => {
      const space = await store.measureSpace();
      metrics.storeBytes.set(space.storeBytes);
      if (space.freeBytes === undefined) return;
      metrics.storeFreeBytes.set(space.freeBytes);
      const isLow = space.freeBytes < this.#o.lowSpaceBytes;
      metrics.storeLowSpace.set(isLow ? 1 : 0);
      if (isLow && !this.#isLowSpace) {
        this.#log.warn(
          { freeBytes: space.freeBytes, threshold: this.#o.lowSpaceBytes, storeBytes: space.storeBytes },
          'the store is running out of disk space; free space or shorten egress retention before writes fail',
        );
      }
      this.#isLowSpace = isLow;
    });
    await this.#step('measuring egress retention', async () => {
      for (const id of this.#o.egressIds) {
        const range = await store.readEgressRange(id);
        metrics.egressRetained.set({ egress: id }, range.nextOffset - range.firstOffset);
        metrics.egressOldestAge.set(
          { egress: id },
          range.oldestCreatedAt === undefined ? 0 : Math.max(0, (now() - range.oldestCreatedAt) / 1000),
        );
      }
    });
  }

  async #step(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.#log.warn({ err }, `store maintenance failed (${what}); trying again next round`);
    }
  }
}
