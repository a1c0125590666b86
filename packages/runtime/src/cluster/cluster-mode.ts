/**
 * Wires cluster mode: the coordinator's ownership changes drive inbox and timer loading, hand-overs and
 * resets; store wake-ups (LISTEN/NOTIFY) reload the inboxes of owned key groups.
 */
import type { Logger } from 'pino';
import type { Committer } from '../engine/committer.js';
import type { Dispatcher } from '../engine/dispatcher.js';
import type { RuntimeMetrics } from '../engine/metrics.js';
import type { StateCache } from '../engine/state-cache.js';
import type { TimerService } from '../engine/timer-service.js';
import type { ClusterStore } from '../store/cluster-store.js';
import type { BlockIdAllocator } from './block-id-allocator.js';
import { ClusterCoordinator, type CoordinatorOptions } from './coordinator.js';
import type { InboxTracker } from './inbox-tracker.js';

/** The engine parts cluster mode drives. */
export interface ClusterParts {
  readonly store: ClusterStore;
  readonly dispatcher: Dispatcher;
  readonly committer: Committer;
  readonly timers: TimerService;
  readonly cache: StateCache;
  readonly ids: BlockIdAllocator;
  readonly tracker: InboxTracker;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
}

/** A running cluster membership. */
export class ClusterMode {
  readonly coordinator: ClusterCoordinator;
  readonly #parts: ClusterParts;
  readonly #pendingLoads = new Set<number>();
  #loadScheduled = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(parts: ClusterParts, options: CoordinatorOptions) {
    this.#parts = parts;
    const { dispatcher, timers, cache, committer, tracker, ids, store, metrics } = parts;
    this.coordinator = new ClusterCoordinator(
      store,
      options,
      {
        onAcquired: async (keyGroups) => {
          // A fresh seq block, greater than any issued before, keeps FIFO per sender across the move.
          await ids.rotate();
          const kgs = [...keyGroups.keys()];
          await this.#loadInboxes(kgs);
          timers.arm(await store.loadTimers(kgs));
        },
        onReleasing: async (keyGroups) => {
          await dispatcher.releaseKeyGroups(keyGroups);
          timers.dropKeyGroups(keyGroups);
          await committer.flush();
          cache.evictKeyGroups(keyGroups);
          tracker.dropKeyGroups(keyGroups);
        },
        onLost: async () => {
          await dispatcher.reset();
          timers.clear();
          cache.clear();
          tracker.clear();
          committer.resume();
        },
      },
      parts.log,
      {
        onOwnershipChange: (kind, count) => metrics.ownershipChanges.inc({ kind }, count),
      },
    );
  }

  /** Joins the cluster, takes key groups, and subscribes to wake-ups. */
  async start(): Promise<void> {
    this.#unlisten = await this.#parts.store.listen((kgs) => this.#wake(kgs));
    await this.coordinator.start();
  }

  /** Hands everything over and leaves. */
  async stop(): Promise<void> {
    await this.#unlisten?.().catch(() => undefined);
    await this.coordinator.stop();
  }

  /** A commit was fenced: drop everything and re-take what is still ours. */
  fenced(): void {
    this.#parts.metrics.fencingAborts.inc();
    this.coordinator.lose().catch((err: unknown) => this.#parts.log.error({ err }, 'recovery after a fenced commit failed'));
  }

  #wake(keyGroups: readonly number[]): void {
    for (const kg of keyGroups) if (this.coordinator.owns(kg)) this.#pendingLoads.add(kg);
    if (this.#pendingLoads.size === 0 || this.#loadScheduled) return;
    this.#loadScheduled = true;
    this.coordinator
      .serial(async () => {
        this.#loadScheduled = false;
        const kgs = [...this.#pendingLoads].filter((kg) => this.coordinator.owns(kg));
        this.#pendingLoads.clear();
        if (kgs.length > 0) await this.#loadInboxes(kgs);
      })
      .catch((err: unknown) => this.#parts.log.warn({ err }, 'inbox reload failed; the next wake-up retries'));
  }

  /** Loads pending messages of owned key groups that were not delivered yet. Runs in the serial section. */
  async #loadInboxes(keyGroups: readonly number[]): Promise<void> {
    const { store, tracker, dispatcher } = this.#parts;
    const token = tracker.beginLoad();
    let fresh;
    try {
      fresh = tracker.endLoad(token, await store.loadMessages(keyGroups));
    } catch (err) {
      tracker.endLoad(token, []);
      throw err;
    }
    for (const m of fresh) {
      if (!this.coordinator.owns(m.keyGroup)) continue;
      dispatcher.deliver({ source: { kind: 'message', seq: m.seq }, target: m.target, caller: m.caller, argument: m.argument });
    }
  }
}
