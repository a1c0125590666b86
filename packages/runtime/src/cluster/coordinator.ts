/**
 * Membership and key-group ownership of one process in cluster mode. Every heartbeat it extends its leases,
 * computes which key groups it should own (rendezvous hashing over the node ids of live members), drains and
 * releases the ones it should no longer own, and takes the ones it should own once they are free or expired.
 * PostgreSQL holds the leases; fencing in every commit makes a stale owner harmless.
 *
 * Leases and fences name an *incarnation*, not the node id: a fresh id per process start, and a fresh one again
 * whenever this process loses ownership (fenced, frozen past its lease, cut off from the database). So a
 * restarted process with the same `nodeId` option, or this process after a freeze, never inherits an epoch of an
 * earlier incarnation that may still be running; it takes that incarnation's leases like any expired lease.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { SerialQueue } from '../core/serial-queue.js';
import type { ClusterStore, ClusterView, LeaseRecord } from '../store/cluster-store.js';
import { desiredKeyGroups } from './rendezvous.js';

/** What the runtime does when ownership changes. Called one at a time, never concurrently. */
export interface OwnershipHooks {
  /**
   * Key groups were leased but are not owned yet (nothing of them is delivered or invoked): forget what is
   * cached of them and prepare to take them (a fresh id block).
   */
  onAcquiring(keyGroups: ReadonlyMap<number, number>): Promise<void>;
  /**
   * The key groups are owned from this call on: load their inboxes and timers. Its synchronous part runs in the
   * same turn as the ownership change, so nothing is delivered to them before the inbox reload is under way
   * (a live message could otherwise overtake an older one of its address waiting in the store).
   */
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

/** Collaborators of the coordinator. */
export interface CoordinatorDeps {
  readonly store: ClusterStore;
  readonly hooks: OwnershipHooks;
  readonly log: Logger;
  readonly observer?: CoordinatorObserver;
  /** What times heartbeats and tells how long ago the last one succeeded. @default systemClock */
  readonly clock?: Clock;
}

/** The ownership loop of one process. */
export class ClusterCoordinator {
  readonly #store: ClusterStore;
  readonly #options: CoordinatorOptions;
  readonly #hooks: OwnershipHooks;
  readonly #log: Logger;
  readonly #observer: CoordinatorObserver | undefined;
  readonly #clock: Clock;
  readonly #owned = new Map<number, number>();
  // Earlier incarnations of this process whose leases and member rows are released at the next chance.
  readonly #retired = new Set<string>();
  #incarnation: string;
  readonly #reportedTwins = new Set<string>();
  // Key groups being handed over: no new work starts, but in-flight effects still commit under their epoch.
  readonly #draining = new Map<number, number>();
  #timer: TimerHandle | undefined;
  readonly #serial = new SerialQueue();
  #stopped = false;
  #lastHeartbeatOk = 0;

  constructor(deps: CoordinatorDeps, options: CoordinatorOptions) {
    this.#store = deps.store;
    this.#options = options;
    this.#hooks = deps.hooks;
    this.#clock = deps.clock ?? systemClock;
    this.#incarnation = newIncarnation(options.nodeId);
    this.#log = deps.log.child({ component: 'cluster', nodeId: options.nodeId });
    this.#observer = deps.observer;
  }

  /** The current incarnation: the owner name of this process's leases and fences. */
  get incarnation(): string {
    return this.#incarnation;
  }

  /** Whether the last heartbeat succeeded recently (the database is reachable and the leases are fresh). */
  get isHealthy(): boolean {
    return (
      this.#clock.now() - this.#lastHeartbeatOk <=
      Math.max(this.#options.leaseMs / 2, 2 * this.#options.heartbeatMs)
    );
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
    await this.#serial.run(() => this.#round());
    this.#schedule();
  }

  /**
   * Drops all ownership after a fenced commit; the next round re-takes what is still ours.
   *
   * @param onStart - called when the reset begins (failures after this point need a reset of their own).
   */
  lose(onStart?: () => void): Promise<void> {
    return this.#serial.run(async () => {
      onStart?.();
      // Always reset, even when nothing is owned any more: the committer waits for it to accept work again.
      await this.#loseAll('a commit failed or was fenced', true);
      await this.#round();
    });
  }

  /** Runs `work` in the coordinator's serial section (used for inbox reloads, so they never overlap). */
  serial(work: () => Promise<void>): Promise<void> {
    return this.#serial.run(work);
  }

  /** Hands over every key group and leaves the cluster (clean shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#serial.run(async () => {
      const all = new Set(this.#owned.keys());
      for (const [kg, epoch] of this.#owned) this.#draining.set(kg, epoch);
      this.#owned.clear();
      if (all.size > 0) await this.#hooks.onReleasing(all);
      this.#draining.clear();
      await this.#store.leave(this.#incarnation);
      await this.#leaveRetired();
      this.#log.info({ released: all.size }, 'left the cluster');
    });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#serial
        .run(() => this.#round())
        .catch((err: unknown) => this.#log.warn({ err }, 'cluster round failed; retrying'))
        .finally(() => this.#schedule());
    }, this.#options.heartbeatMs);
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const view = await this.#heartbeat();
    await this.#leaveRetired();
    const incarnation = this.#incarnation;
    const leases = new Map(view.leases.map((l) => [l.keyGroup, l]));
    if (await this.#lostLeases(leases, view.now, incarnation)) {
      // The view's incarnation is gone: the next round heartbeats as the new one.
      return;
    }
    this.#reportTwins(view, incarnation);
    const { nodeId, keyGroups } = this.#options;
    const members = [...new Set(view.liveMembers.map((m) => m.nodeId))];
    if (!members.includes(nodeId)) members.push(nodeId);
    const desired = new Set(desiredKeyGroups(members, nodeId, keyGroups));
    await this.#releaseUndesired(desired, incarnation, members.length);
    const wanted = [...desired].filter((kg) => {
      if (this.#owned.has(kg)) return false;
      const l = leases.get(kg);
      return l === undefined || l.owner === undefined || l.owner === incarnation || l.expiresAt <= view.now;
    });
    if (wanted.length > 0) await this.#acquire(wanted, incarnation, members.length);
  }

  /** Extends this incarnation's leases and returns the cluster as the store sees it. */
  async #heartbeat(): Promise<ClusterView> {
    const { nodeId, advertise, leaseMs } = this.#options;
    const silentMs = this.#clock.now() - this.#lastHeartbeatOk;
    if (this.#owned.size > 0 && silentMs > leaseMs) {
      // Frozen (SIGSTOP, a long GC pause) or cut off past the lease: others may hold our key groups by now.
      await this.#loseAll(`no heartbeat for ${silentMs} ms (lease ${leaseMs} ms)`);
    }
    try {
      const view = await this.#store.heartbeat(
        { nodeId, incarnation: this.#incarnation, advertise },
        leaseMs,
      );
      this.#lastHeartbeatOk = this.#clock.now();
      return view;
    } catch (err) {
      // Without heartbeats our leases expire; stop trusting them before others may take them.
      if (this.#owned.size > 0 && this.#clock.now() - this.#lastHeartbeatOk > leaseMs / 2) {
        await this.#loseAll('heartbeats are failing');
      }
      throw err;
    }
  }

  /**
   * Leases we think we hold but the store says otherwise: someone took them, or they expired (we were paused
   * or cut off). An expired lease is never revived, so drop everything and come back as a new incarnation.
   *
   * @returns whether ownership was lost.
   */
  async #lostLeases(
    leases: ReadonlyMap<number, LeaseRecord>,
    now: number,
    incarnation: string,
  ): Promise<boolean> {
    for (const [kg, epoch] of this.#owned) {
      const l = leases.get(kg);
      if (l === undefined || l.owner !== incarnation || l.epoch !== epoch || l.expiresAt <= now) {
        await this.#loseAll(
          l?.owner === incarnation
            ? `the lease of key group ${kg} expired`
            : `key group ${kg} is now held by ${l?.owner ?? 'nobody'}`,
        );
        return true;
      }
    }
    return false;
  }

  /**
   * A twin that heartbeats after this incarnation started is a second live process with our node id (a dead
   * predecessor's last heartbeat is older): say so once; fencing keeps the two from sharing a key group.
   */
  #reportTwins(view: ClusterView, incarnation: string): void {
    const { nodeId } = this.#options;
    const startedAt = view.liveMembers.find((m) => m.incarnation === incarnation)?.startedAt ?? view.now;
    for (const twin of view.liveMembers) {
      if (twin.nodeId !== nodeId || twin.incarnation === incarnation || twin.heartbeatAt <= startedAt)
        continue;
      if (this.#reportedTwins.has(twin.incarnation)) continue;
      this.#reportedTwins.add(twin.incarnation);
      this.#log.error(
        { other: twin.incarnation, otherAdvertise: twin.advertise },
        `another live process uses node id ${nodeId}; give every process its own node id (the nodeId option; this one serves only key groups the other does not hold)`,
      );
    }
  }

  /** Hands over the owned key groups this process should no longer own. */
  async #releaseUndesired(desired: ReadonlySet<number>, incarnation: string, members: number): Promise<void> {
    const release = new Set([...this.#owned.keys()].filter((kg) => !desired.has(kg)));
    if (release.size === 0) return;
    for (const kg of release) {
      this.#draining.set(kg, this.#owned.get(kg)!);
      this.#owned.delete(kg);
    }
    try {
      await this.#hooks.onReleasing(release);
      await this.#store.releaseLeases(incarnation, [...release]);
    } finally {
      for (const kg of release) this.#draining.delete(kg);
    }
    this.#observer?.onOwnershipChange('released', release.size);
    this.#log.info({ count: release.size, members }, 'released key groups');
  }

  /** Takes the wanted key groups that are free or expired and loads them. */
  async #acquire(wanted: readonly number[], incarnation: string, members: number): Promise<void> {
    const got = await this.#store.acquireLeases(incarnation, wanted, this.#options.leaseMs);
    // A loss while acquiring (a fenced commit) retired this incarnation: what it got is released later.
    if (got.length === 0 || incarnation !== this.#incarnation) return;
    const acquired = new Map(got.map((l) => [l.keyGroup, l.epoch]));
    try {
      await this.#hooks.onAcquiring(acquired);
      // Lost meanwhile (a fenced commit): this incarnation is retired and what it got is released later.
      if (incarnation !== this.#incarnation) return;
      for (const [kg, epoch] of acquired) this.#owned.set(kg, epoch);
      await this.#hooks.onAcquired(acquired);
    } catch (err) {
      // Owned but not loaded (inboxes or timers missing from memory) must never last: drop everything and
      // come back as a new incarnation, which loads what it takes from scratch.
      await this.#loseAll('loading the acquired key groups failed', true);
      throw err;
    }
    this.#observer?.onOwnershipChange('acquired', acquired.size);
    this.#log.info(
      { count: acquired.size, owned: this.#owned.size, members, incarnation },
      'acquired key groups',
    );
  }

  /** Releases the leases and member rows of earlier incarnations; what fails is tried again next round. */
  async #leaveRetired(): Promise<void> {
    for (const old of [...this.#retired]) {
      try {
        await this.#store.leave(old);
        this.#retired.delete(old);
      } catch (err) {
        this.#log.debug({ err, incarnation: old }, 'releasing an earlier incarnation failed; retrying later');
        return;
      }
    }
  }

  async #loseAll(reason: string, force = false): Promise<void> {
    if (this.#owned.size === 0 && !force) return;
    const count = this.#owned.size;
    this.#owned.clear();
    this.#draining.clear();
    // Rejoin as a new incarnation: nothing the old one did can be confused with what this one does.
    const old = this.#incarnation;
    this.#retired.add(old);
    this.#incarnation = newIncarnation(this.#options.nodeId);
    this.#log.warn(
      { reason, count, retired: old, incarnation: this.#incarnation },
      'lost key group ownership; dropping in-memory state and rejoining as a new incarnation',
    );
    await this.#hooks.onLost();
    this.#observer?.onOwnershipChange('lost', count);
  }
}

/** A fresh incarnation id: the node id (for people reading leases) and 64 random bits. */
function newIncarnation(nodeId: string): string {
  return `${nodeId}#${randomBytes(8).toString('hex')}`;
}
