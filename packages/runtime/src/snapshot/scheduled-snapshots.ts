/**
 * Snapshots on a schedule (`run --snapshot-every 15m --snapshot-to LOCATION --snapshot-keep 24`). In a cluster the
 * leader takes them (the owner of key group 0, under its lease); a new leader reads when the newest snapshot at the
 * location was taken, so the schedule holds across leader changes. A failed snapshot is logged, metered and tried
 * again after a backoff; it never stops processing nor changes readiness. After each success all but the newest
 * `keep` snapshots are deleted, and so are abandoned (manifest-less) ones older than the newest.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

import type { Clock, TimerHandle } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { openBlobStore } from './blob-store.js';
import { createSnapshot, RUNTIME_SNAPSHOT_CPU_SHARE } from './create-snapshot.js';
import { listSnapshotsIn, pruneSnapshots } from './snapshot-catalog.js';
import { snapshotSourceOf } from './store-source.js';

/** Settings of {@link ScheduledSnapshots}. */
export interface ScheduledSnapshotsOptions {
  readonly to: string;
  readonly everyMs: number;
  readonly keep: number;
}

/** Collaborators of {@link ScheduledSnapshots}. */
export interface ScheduledSnapshotsDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  /** Whether this process takes the snapshots (always in one process; the leader in a cluster). */
  readonly isTaker: () => boolean;
}

/** How often a process checks whether a snapshot is due, at most; with short intervals, every tenth of one. */
const CHECK_EVERY_MS = 30_000;
/** …but not more often than this. */
const CHECK_EVERY_MIN_MS = 100;
/** Wait after a failure before trying again, at most. */
const RETRY_AFTER_MS = 60_000;
/** How long stopping waits for a snapshot being taken (it is left incomplete after that, and pruned later). */
const STOP_WAIT_MS = 5_000;

interface SnapshotMetrics {
  readonly lastSuccess: Gauge;
  readonly duration: Gauge;
  readonly size: Gauge;
  readonly outcomes: Counter<'outcome'>;
}

function metricsIn(registry: Registry): SnapshotMetrics {
  const registers = [registry];
  return {
    lastSuccess: new Gauge({
      name: 'statehouse_snapshot_last_success_timestamp_seconds',
      help: 'When the last scheduled snapshot taken by this process completed (Unix time, s)',
      registers,
    }),
    duration: new Gauge({
      name: 'statehouse_snapshot_last_duration_seconds',
      help: 'How long the last successful scheduled snapshot took, s',
      registers,
    }),
    size: new Gauge({
      name: 'statehouse_snapshot_last_size_bytes',
      help: 'Size of the last successful scheduled snapshot (all its files), bytes',
      registers,
    }),
    outcomes: new Counter({
      name: 'statehouse_snapshots_total',
      help: 'Scheduled snapshots attempted by this process, by outcome (success, failure)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}

/** Takes snapshots on a schedule. */
export class ScheduledSnapshots {
  readonly #deps: ScheduledSnapshotsDeps;
  readonly #o: ScheduledSnapshotsOptions;
  readonly #log: Logger;
  readonly #metrics: SnapshotMetrics;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #isStopped = false;
  /** When the newest snapshot at the location was taken (epoch ms), once known. */
  #lastTakenMs: number | undefined;
  #failedAtMs: number | undefined;
  #lastCheckMs: number | undefined;

  constructor(deps: ScheduledSnapshotsDeps, options: ScheduledSnapshotsOptions) {
    this.#deps = deps;
    this.#o = options;
    this.#log = deps.log.child({ component: 'snapshots' });
    this.#metrics = metricsIn(deps.registry);
  }

  /** Checks now whether a snapshot is due, then at intervals. */
  start(): void {
    const tick = (): void => {
      if (this.#isStopped) return;
      this.#timer = this.#deps.clock.setTimeout(
        tick,
        Math.max(CHECK_EVERY_MIN_MS, Math.min(CHECK_EVERY_MS, this.#o.everyMs / 10)),
      );
      this.#running ??= this.#check().finally(() => (this.#running = undefined));
    };
    tick();
  }

  /** Stops; a snapshot being taken gets a few seconds to finish. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    const running = this.#running;
    if (running === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** One check; never rejects. */
  async #check(): Promise<void> {
    const checkedAt = this.#deps.clock.now();
    // A process frozen (or cut off) for a while may have lost and regained leadership meanwhile: read the location.
    if (this.#lastCheckMs !== undefined && checkedAt - this.#lastCheckMs > 2 * CHECK_EVERY_MS)
      this.#lastTakenMs = undefined;
    this.#lastCheckMs = checkedAt;
    if (!this.#deps.isTaker()) {
      // Another process takes them; when this one takes over, it reads the location again.
      this.#lastTakenMs = undefined;
      return;
    }
    const now = this.#deps.clock.now();
    if (this.#failedAtMs !== undefined && now - this.#failedAtMs < Math.min(RETRY_AFTER_MS, this.#o.everyMs))
      return;
    try {
      this.#lastTakenMs ??= await this.#newestAtLocation();
      if (this.#lastTakenMs !== undefined && now - this.#lastTakenMs < this.#o.everyMs) return;
      await this.#take();
    } catch (err) {
      this.#failedAtMs = this.#deps.clock.now();
      this.#metrics.outcomes.inc({ outcome: 'failure' });
      this.#log.warn(
        { err, to: this.#o.to },
        'scheduled snapshot failed; tried again later (processing goes on)',
      );
    }
  }

  async #newestAtLocation(): Promise<number | undefined> {
    const blobs = await openBlobStore(this.#o.to);
    try {
      const newest = (await listSnapshotsIn(blobs)).filter((l) => l.status === 'complete').at(-1);
      return newest === undefined ? undefined : Date.parse(newest.manifest!.createdAt);
    } finally {
      blobs.close();
    }
  }

  async #take(): Promise<void> {
    const taken = await createSnapshot({
      to: this.#o.to,
      source: snapshotSourceOf(this.#deps.store),
      now: () => this.#deps.clock.now(),
      cpuShare: RUNTIME_SNAPSHOT_CPU_SHARE,
    });
    this.#lastTakenMs = Date.parse(taken.manifest.createdAt);
    this.#failedAtMs = undefined;
    this.#metrics.outcomes.inc({ outcome: 'success' });
    this.#metrics.lastSuccess.set(this.#deps.clock.now() / 1000);
    this.#metrics.duration.set(taken.durationMs / 1000);
    this.#metrics.size.set(taken.bytes);
    this.#log.info(
      {
        event: 'snapshot.taken',
        id: taken.id,
        location: taken.location,
        bytes: taken.bytes,
        durationMs: Math.round(taken.durationMs),
      },
      'scheduled snapshot taken',
    );
    const blobs = await openBlobStore(this.#o.to);
    try {
      const deleted = await pruneSnapshots(blobs, this.#o.keep);
      if (deleted.length > 0) this.#log.info({ deleted }, 'older snapshots deleted');
    } finally {
      blobs.close();
    }
  }
}
