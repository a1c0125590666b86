/**
 * What differs between a single process on its own store and a member of a cluster, behind one shape: what
 * this process serves, how it recovers, and what it does when the store voids its work or fills up.
 * Implemented by `single-process-mode.ts` and `cluster/cluster-mode.ts`.
 */
import type { StoreError } from '../errors.js';

/**
 * The key group whose owner leads the cluster: it runs the once-per-deployment jobs and reads the ingress
 * connectors; their position commits are fenced by its lease.
 */
export const LEADER_KEY_GROUP = 0;

/** How a runtime process serves key groups. */
export interface ProcessMode {
  /**
   * Loads what this process serves (pending messages, timers) and starts delivering.
   *
   * @returns fields for the `runtime ready` log line.
   */
  start(): Promise<Readonly<Record<string, string | number>>>;
  /** Hands over what it serves and stops (in-flight work is the caller's to drain). */
  stop(): Promise<void>;
  /** Whether this process serves a key group now. */
  owns(keyGroup: number): boolean;
  /** The key groups this process serves, for reads of the store; `undefined` when it serves all of them. */
  keyGroupFilter(): readonly number[] | undefined;
  /** Submitted work was voided (a fenced or failed commit, work built on refused effects): drop and reload. */
  voided(err: StoreError): void;
  /** The store's disk is full: drop uncommitted work (nothing committed is touched). */
  storeFull(err: StoreError): void;
  /** The store writes again after a full disk: load again what was dropped. Resolves once done. */
  storeWritable(): Promise<void>;
  /** Whether the store is in reach (cluster: recent heartbeats); false makes `/readyz` say so. */
  readonly isHealthy: boolean;
  /** Key groups this process serves. */
  readonly ownedKeyGroups: number;
  /**
   * Whether this process runs the once-per-deployment jobs (webhook and connector egress shipping, egress
   * retention, ingress connectors): in a cluster, the owner of {@link LEADER_KEY_GROUP}.
   */
  isLeader(): boolean;
}
