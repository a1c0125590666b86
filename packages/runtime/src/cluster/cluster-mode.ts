/**
 * Wires cluster mode: the coordinator's ownership changes drive inbox and timer loading, hand-overs and
 * resets; store wake-ups (LISTEN/NOTIFY) reload the inboxes of owned key groups.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { StoreError } from '../errors.js';
import type { Committer } from '../engine/committer.js';
import { dropInMemoryState } from '../engine/drop-in-memory-state.js';
import type { Dispatcher } from '../engine/dispatcher.js';
import { LEADER_KEY_GROUP, type ProcessMode } from '../engine/process-mode.js';
import type { RuntimeMetrics } from '../engine/metrics.js';
import type { StateCache } from '../engine/state-cache.js';
import type { TimerService } from '../engine/timer-service.js';
import type { ClusterStore, KeyGroupWake } from '../store/cluster-store.js';
import type { BlockIdAllocator } from './block-id-allocator.js';
import { ClusterCoordinator, type CoordinatorOptions } from './coordinator.js';

/**
 * A safety net only: every recovery path (take-over, rejoin, LISTEN re-subscription, fenced reset) reloads
 * inboxes itself, so deliveries never wait for the sweep; it is slow on purpose so that tests would notice if
 * one did.
 */
const SWEEP_INTERVAL_MS = 30_000;

/** The engine parts cluster mode drives. */
export interface ClusterParts {
  readonly store: ClusterStore;
  readonly dispatcher: Dispatcher;
  readonly committer: Committer;
  readonly timers: TimerService;
  readonly cache: StateCache;
  readonly ids: BlockIdAllocator;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  /** Egress ids that got records in a commit of any process (wakes long polls and the webhook shipper). */
  readonly onEgressAnnounced: (egressIds: readonly string[]) => void;
  /**
   * Called when this process hands over the leader's key group, once it no longer counts as the leader: resolves
   * when its leader jobs stopped (the egress shipper's last transaction must not overlap with the next leader's).
   */
  readonly onReleasingLead: () => Promise<void>;
}

/** A running cluster membership. */
export class ClusterMode implements ProcessMode {
  readonly coordinator: ClusterCoordinator;
  readonly #parts: ClusterParts;
  readonly #nodeId: string;
  readonly #pendingLoads = new Set<number>();
  readonly #pendingSeqs = new Set<number>();
  #sweep: TimerHandle | undefined;
  #loadScheduled = false;
  #losePending = false;
  #unlisten: (() => Promise<void>) | undefined;
  #unlistenEgress: (() => Promise<void>) | undefined;

  constructor(parts: ClusterParts, options: CoordinatorOptions) {
    this.#parts = parts;
    this.#nodeId = options.nodeId;
    const { dispatcher, timers, cache, committer, ids, store, metrics } = parts;
    this.coordinator = new ClusterCoordinator(
      {
        store,
        clock: parts.clock,
        log: parts.log,
        observer: { onOwnershipChange: (kind, count) => metrics.ownershipChanges.inc({ kind }, count) },
        hooks: {
          onAcquiring: async (keyGroups) => {
            // Whatever is cached of these key groups predates this ownership: another process may have written.
            cache.evictKeyGroups(new Set(keyGroups.keys()));
            // A fresh seq block, greater than any issued before, keeps FIFO per sender across the move.
            await ids.rotate();
          },
          onAcquired: async (keyGroups) => {
            // First, in the turn that made them owned: live messages wait in the store until the scan has
            // passed the older messages of their addresses (a page being read holds their rows back).
            dispatcher.rescan(keyGroups.keys());
            timers.arm(await store.loadTimers([...keyGroups.keys()]));
          },
          onReleasing: async (keyGroups) => {
            if (keyGroups.has(LEADER_KEY_GROUP)) await parts.onReleasingLead();
            dispatcher.releaseKeyGroups(keyGroups);
            timers.dropKeyGroups(keyGroups);
            await committer.flush();
            cache.evictKeyGroups(keyGroups);
          },
          onLost: async () => {
            await dropInMemoryState(
              { dispatcher, committer, timers, cache },
              new StoreError('ERR_STORE_FENCED', 'key group ownership was lost before this was committed', {
                retryable: true,
              }),
            );
            committer.resume();
          },
        },
      },
      options,
    );
  }

  get isHealthy(): boolean {
    return this.coordinator.isHealthy;
  }

  get ownedKeyGroups(): number {
    return this.coordinator.owned.size;
  }

  owns(keyGroup: number): boolean {
    return this.coordinator.owns(keyGroup);
  }

  keyGroupFilter(): readonly number[] {
    return [...this.coordinator.owned.keys()];
  }

  /** The owner of key group 0 runs the once-per-deployment jobs. */
  isLeader(): boolean {
    return this.coordinator.owns(LEADER_KEY_GROUP);
  }

  voided(err: StoreError): void {
    this.fenced(err);
  }

  /** Drops what is in memory and re-takes the key groups (commits keep failing until space frees). */
  storeFull(err: StoreError): void {
    this.fenced(err);
  }

  /** Nothing to do: re-taking the key groups after {@link ClusterMode.storeFull} reloads them. */
  storeWritable(): Promise<void> {
    return Promise.resolve();
  }

  /** Joins the cluster, takes key groups, and subscribes to wake-ups and egress announcements. */
  async start(): Promise<Readonly<Record<string, string | number>>> {
    this.#unlisten = await this.#parts.store.listen(
      (wake) => this.#wake(wake),
      // Wake-ups sent while the LISTEN connection was down are lost: reload every owned inbox.
      () => this.#wake({ keyGroups: [...this.coordinator.owned.keys()], seqs: [] }),
    );
    this.#unlistenEgress = await this.#parts.store.listenEgress(this.#parts.onEgressAnnounced);
    await this.coordinator.start();
    // A last resort for a wake-up lost some way nobody foresaw: reload every owned inbox now and then (reloads
    // never deliver a message twice).
    this.#scheduleSweep();
    return { nodeId: this.#nodeId, ownedKeyGroups: this.coordinator.owned.size };
  }

  /** Hands everything over and leaves. */
  async stop(): Promise<void> {
    if (this.#sweep !== undefined) this.#parts.clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
    await this.#unlisten?.().catch(() => undefined);
    await this.#unlistenEgress?.().catch(() => undefined);
    await this.coordinator.stop();
  }

  /** A commit was fenced or failed, or work was voided: drop everything and re-take what is still ours. */
  fenced(err: { readonly code: string }): void {
    if (err.code === 'ERR_STORE_FENCED') this.#parts.metrics.fencingAborts.inc();
    // Commits failing one after the other (database down) need one reset, not one each.
    if (this.#losePending) return;
    this.#losePending = true;
    this.coordinator
      .lose(() => (this.#losePending = false))
      .catch((e: unknown) =>
        this.#parts.log.warn(
          { err: e },
          'rejoining after a failed commit did not finish (the database may be unreachable); the next round retries',
        ),
      );
  }

  #scheduleSweep(): void {
    this.#sweep = this.#parts.clock.setTimeout(() => {
      this.#wake({ keyGroups: [...this.coordinator.owned.keys()], seqs: [] });
      this.#scheduleSweep();
    }, SWEEP_INTERVAL_MS);
  }

  #wake(wake: KeyGroupWake): void {
    const named = new Set<number>();
    for (const { keyGroup, seq } of wake.seqs) {
      named.add(keyGroup);
      if (this.coordinator.owns(keyGroup)) this.#pendingSeqs.add(seq);
    }
    for (const kg of wake.keyGroups)
      if (!named.has(kg) && this.coordinator.owns(kg)) this.#pendingLoads.add(kg);
    if ((this.#pendingLoads.size === 0 && this.#pendingSeqs.size === 0) || this.#loadScheduled) return;
    this.#loadScheduled = true;
    this.coordinator
      .serial(async () => {
        this.#loadScheduled = false;
        const kgs = [...this.#pendingLoads].filter((kg) => this.coordinator.owns(kg));
        const seqs = [...this.#pendingSeqs];
        this.#pendingLoads.clear();
        this.#pendingSeqs.clear();
        if (kgs.length > 0 || seqs.length > 0) await this.#loadInboxes(kgs, seqs);
      })
      .catch((err: unknown) =>
        this.#parts.log.warn({ err }, 'inbox reload failed; the next wake-up retries'),
      );
  }

  /**
   * Delivers messages other processes added to owned key groups: by seq when the wake-up names them, else by
   * reading every owned inbox again (the dispatcher skips what it holds already). Runs in the serial section.
   */
  async #loadInboxes(keyGroups: readonly number[], seqs: readonly number[] = []): Promise<void> {
    const { store, dispatcher } = this.#parts;
    if (keyGroups.length > 0) dispatcher.rescan();
    if (seqs.length > 0) await dispatcher.deliverStored(() => store.loadMessagesBySeq(seqs));
  }
}
