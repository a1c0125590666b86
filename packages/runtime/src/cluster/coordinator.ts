/**
 * Membership and key-group ownership of one process in cluster mode. Every heartbeat it extends its leases,
 * computes which key groups it should own (rendezvous hashing over live members), drains and releases the
 * ones it should no longer own, and takes the ones it should own once they are free or expired. PostgreSQL
 * holds the leases; fencing in every commit makes a stale owner harmless.
 */
import type { Logger } from 'pino';
import type { ClusterStore, ClusterView } from '../store/cluster-store.js';
import { desiredKeyGroups } from './rendezvous.js';

/** What the runtime does when ownership changes. Called one at a time, never concurrently. */
export interface OwnershipHooks {
  /** Key groups were acquired (with their epochs): load their inboxes and timers. */
  onAcquired(keyGroups: ReadonlyMap<number, number>): Promise<void>;
  /** Key groups are being handed over: stop working on them and commit what is done. */
  onReleasing(keyGroups: ReadonlySet<number>): Promise<void>;
  /** Ownership was lost without a handover (fenced or lease expired): forget everything in memory. */
  onLost(): Promise<void>;
}

/** Settings of the coordinator. */
export interface CoordinatorOptions {
  readonly nodeId: string;
  readonly advertise: string;
  readonly keyGroups: number;
  /** Lease timeout, ms: a silent member loses its key groups after this long. */
  readonly leaseMs: number;
  /** Interval of heartbeats and rebalancing, ms. */
  readonly heartbeatMs: number;
}

/** Observes ownership (metrics). */
export interface CoordinatorObserver {
  onOwnershipChange(kind: 'acquired' | 'released' | 'lost', count: number): void;
}

/** The ownership loop of one process. */
export class ClusterCoordinator {
  readonly #store: ClusterStore;
  readonly #options: CoordinatorOptions;
  readonly #hooks: OwnershipHooks;
  readonly #log: Logger;
  readonly #observer: CoordinatorObserver | undefined;
  readonly #owned = new Map<number, number>();
  // Key groups being handed over: no new work starts, but in-flight effects still commit under their epoch.
  readonly #draining = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastHeartbeatOk = 0;

  constructor(
    store: ClusterStore,
    options: CoordinatorOptions,
    hooks: OwnershipHooks,
    log: Logger,
    observer?: CoordinatorObserver,
  ) {
    this.#store = store;
    this.#options = options;
    this.#hooks = hooks;
    this.#log = log.child({ component: 'cluster', nodeId: options.nodeId });
    this.#observer = observer;
  }

  /** Key groups owned now, with their epochs. */
  get owned(): ReadonlyMap<number, number> {
    return this.#owned;
  }

  /** Whether this process owns a key group. */
  owns(keyGroup: number): boolean {
    return this.#owned.has(keyGroup);
  }

  /** The epoch of an owned key group. */
  epochOf(keyGroup: number): number | undefined {
    return this.#owned.get(keyGroup) ?? this.#draining.get(keyGroup);
  }

  /** Runs the first round (join, take free key groups) and starts the loop. */
  async start(): Promise<void> {
    await this.#serial(() => this.#round());
    this.#schedule();
  }

  /**
   * Drops all ownership after a fenced commit; the next round re-takes what is still ours.
   */
  lose(): Promise<void> {
    return this.#serial(async () => {
      // Always reset, even when nothing is owned any more: the committer waits for it to accept work again.
      await this.#loseAll('a commit failed or was fenced', true);
      await this.#round();
    });
  }

  /** Runs `work` in the coordinator's serial section (used for inbox reloads, so they never overlap). */
  serial(work: () => Promise<void>): Promise<void> {
    return this.#serial(work);
  }

  /** Hands over every key group and leaves the cluster (clean shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#serial(async () => {
      const all = new Set(this.#owned.keys());
      for (const [kg, epoch] of this.#owned) this.#draining.set(kg, epoch);
      this.#owned.clear();
      if (all.size > 0) await this.#hooks.onReleasing(all);
      this.#draining.clear();
      await this.#store.leave(this.#options.nodeId);
      this.#log.info({ released: all.size }, 'left the cluster');
    });
  }

  #serial(work: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(work);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#serial(() => this.#round())
        .catch((err: unknown) => this.#log.warn({ err }, 'cluster round failed; retrying'))
        .finally(() => this.#schedule());
    }, this.#options.heartbeatMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const { nodeId, advertise, keyGroups, leaseMs } = this.#options;
    let view: ClusterView;
    try {
      view = await this.#store.heartbeat({ nodeId, advertise }, leaseMs);
      this.#lastHeartbeatOk = Date.now();
    } catch (err) {
      // Without heartbeats our leases expire; stop trusting them before others may take them.
      if (this.#owned.size > 0 && Date.now() - this.#lastHeartbeatOk > leaseMs / 2) {
        await this.#loseAll('heartbeats are failing');
      }
      throw err;
    }

    // Leases we think we hold but the store says otherwise: someone took them (we were paused or cut off).
    const leases = new Map(view.leases.map((l) => [l.keyGroup, l]));
    for (const [kg, epoch] of this.#owned) {
      const l = leases.get(kg);
      if (l === undefined || l.owner !== nodeId || l.epoch !== epoch) {
        await this.#loseAll(`key group ${kg} is now held by ${l?.owner ?? 'nobody'}`);
        break;
      }
    }

    const members = view.liveMembers.map((m) => m.nodeId);
    if (!members.includes(nodeId)) members.push(nodeId);
    const desired = new Set(desiredKeyGroups(members, nodeId, keyGroups));

    const release = new Set([...this.#owned.keys()].filter((kg) => !desired.has(kg)));
    if (release.size > 0) {
      for (const kg of release) {
        this.#draining.set(kg, this.#owned.get(kg)!);
        this.#owned.delete(kg);
      }
      try {
        await this.#hooks.onReleasing(release);
        await this.#store.releaseLeases(nodeId, [...release]);
      } finally {
        for (const kg of release) this.#draining.delete(kg);
      }
      this.#observer?.onOwnershipChange('released', release.size);
      this.#log.info({ count: release.size, members: members.length }, 'released key groups');
    }

    const wanted = [...desired].filter((kg) => {
      if (this.#owned.has(kg)) return false;
      const l = leases.get(kg);
      return l === undefined || l.owner === undefined || l.owner === nodeId || l.expiresAt <= view.now;
    });
    if (wanted.length > 0) {
      const got = await this.#store.acquireLeases(nodeId, wanted, leaseMs);
      if (got.length > 0) {
        const acquired = new Map(got.map((l) => [l.keyGroup, l.epoch]));
        for (const [kg, epoch] of acquired) this.#owned.set(kg, epoch);
        await this.#hooks.onAcquired(acquired);
        this.#observer?.onOwnershipChange('acquired', acquired.size);
        this.#log.info(
          { count: acquired.size, owned: this.#owned.size, members: members.length },
          'acquired key groups',
        );
      }
    }
  }

  async #loseAll(reason: string, force = false): Promise<void> {
    if (this.#owned.size === 0 && !force) return;
    const count = this.#owned.size;
    this.#owned.clear();
    this.#draining.clear();
    this.#log.warn({ reason, count }, 'lost key group ownership; dropping in-memory state');
    await this.#hooks.onLost();
    this.#observer?.onOwnershipChange('lost', count);
  }
}
