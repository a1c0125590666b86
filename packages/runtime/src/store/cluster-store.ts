/**
 * What cluster mode needs from a store beyond {@link Store}: membership, key-group leases with epochs,
 * fenced commits, id blocks that are unique across processes, and wake-ups for key groups that received
 * messages from other processes. Implemented by the PostgreSQL store.
 */
import type { CommitBatch, CommitResult, Store, StoredMessage } from './store.js';

/** What a wake-up names: key groups with new messages, and the new messages' seqs when known. */
export interface KeyGroupWake {
  readonly keyGroups: readonly number[];
  /** New messages by key group; a key group in `keyGroups` without seqs here must be reloaded whole. */
  readonly seqs: readonly { readonly keyGroup: number; readonly seq: number }[];
}

/** A runtime process in the cluster: one incarnation (process start) of a node id. */
export interface MemberRecord {
  /** The stable name that steers placement (the `nodeId` option); a restart keeps it. */
  readonly nodeId: string;
  /** This process start; leases and fences name it, so two starts of one node id are never confused. */
  readonly incarnation: string;
  /** Where its HTTP API is reachable, e.g. `10.0.0.5:8091`. */
  readonly advertise: string;
  /** Epoch ms of its last heartbeat (store clock). */
  readonly heartbeatAt: number;
  readonly startedAt: number;
}

/** The lease of one key group. */
export interface LeaseRecord {
  readonly keyGroup: number;
  /** The owning incarnation; `undefined` when released. */
  readonly owner: string | undefined;
  /** Increases on every change of owner; commits are fenced by it. */
  readonly epoch: number;
  /** Epoch ms (store clock) after which others may take it. */
  readonly expiresAt: number;
}

/** The leases a commit relies on: it applies only if this incarnation still holds each with this epoch. */
export interface Fence {
  readonly incarnation: string;
  /** keyGroup → epoch held. */
  readonly leases: ReadonlyMap<number, number>;
}

/** A view of the cluster returned by a heartbeat. */
export interface ClusterView {
  /** Store clock, epoch ms, at the heartbeat. */
  readonly now: number;
  /** Members whose heartbeat is younger than the lease timeout, including this one. */
  readonly liveMembers: readonly MemberRecord[];
  /** Every lease row (key groups never leased have none). */
  readonly leases: readonly LeaseRecord[];
}

/** A store that several runtime processes share. */
export interface ClusterStore extends Store {
  /**
   * Records this incarnation's heartbeat, extends the expiry of every unexpired lease it holds to
   * `now + leaseMs` (an expired lease is never revived), forgets silent earlier incarnations of its node id,
   * and returns the live members and all leases.
   */
  heartbeat(
    member: { nodeId: string; incarnation: string; advertise: string },
    leaseMs: number,
  ): Promise<ClusterView>;
  /**
   * Takes the given key groups where the lease is free, expired, or already held by `incarnation`: epoch + 1
   * for each taken from another incarnation or from nobody; expiry `now + leaseMs`.
   *
   * @returns the leases now held by `incarnation` among those asked for.
   */
  acquireLeases(incarnation: string, keyGroups: readonly number[], leaseMs: number): Promise<LeaseRecord[]>;
  /** Releases leases held by `incarnation` (owner cleared, expiry now), so others can take them at once. */
  releaseLeases(incarnation: string, keyGroups: readonly number[]): Promise<void>;
  /** Removes an incarnation's member row (clean shutdown, or a retired incarnation) and releases its leases. */
  leave(incarnation: string): Promise<void>;
  /**
   * Like {@link Store.commit}, but first verifies, inside the same transaction, that `fence.incarnation` holds
   * every lease in `fence.leases` with exactly that epoch (and not expired); otherwise nothing is applied and
   * it throws `StoreError` with code `ERR_STORE_FENCED`. Egress offsets are assigned by the store at
   * commit (contiguous per egress id across all processes); `EgressAppend.offset` is ignored. After the
   * commit, every key group that received messages or timers is announced to {@link ClusterStore.listen}
   * subscribers of all processes.
   */
  commitFenced(batch: CommitBatch, fence: Fence): Promise<CommitResult>;
  /** Reserves `size` message seqs, greater than every seq reserved before by any process. */
  allocateSeqBlock(size: number): Promise<{ first: number; last: number }>;
  /** Reserves `size` timer ids, unique across processes. */
  allocateTimerIdBlock(size: number): Promise<{ first: number; last: number }>;
  /**
   * Subscribes to key-group wake-ups (LISTEN/NOTIFY). The callback gets the key groups that received messages
   * or timers from a commit (any process), with the new messages' seqs. `onResubscribed` is called when the
   * subscription comes back after its connection was lost: wake-ups sent meanwhile are gone.
   *
   * @returns a function that unsubscribes.
   */
  listen(onWake: (wake: KeyGroupWake) => void, onResubscribed?: () => void): Promise<() => Promise<void>>;
  /**
   * Subscribes to egress announcements: the ids of egresses that got records in a commit of any process.
   *
   * @returns a function that unsubscribes.
   */
  listenEgress(onEgress: (egressIds: readonly string[]) => void): Promise<() => Promise<void>>;
  /** Pending messages with these seqs (the ones still pending), in seq order. */
  loadMessagesBySeq(seqs: readonly number[]): Promise<StoredMessage[]>;
}

/** Whether a store can serve several processes (implements {@link ClusterStore}). */
export function isClusterStore(store: Store): store is ClusterStore {
  return typeof (store as Partial<ClusterStore>).commitFenced === 'function';
}
