/**
 * The quick (default) and `--full` profiles: how long each measurement runs and how big the recovery and snapshot
 * stores are.
 */

/** Durations and sizes of one bench run. */
export interface Profile {
  readonly name: 'quick' | 'full';
  /** Warm-up and window of the runtime throughput workloads (counter, cart). */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Warm-up and window of the ceiling measurements (the function service alone). */
  readonly ceilingWarmupMs: number;
  readonly ceilingDurationMs: number;
  /** Warm-up and window of the sequential single-key workload. */
  readonly sequentialWarmupMs: number;
  readonly sequentialDurationMs: number;
  /** How long to wait after the window for messages sent in it to come out of the egress. */
  readonly drainMs: number;
  /** Messages of the hot-key workload. */
  readonly hotKeyMessages: number;
  /** Addresses with state and pending messages of the recovery store. */
  readonly recoveryAddresses: number;
  readonly recoveryMessages: number;
  /** Restarts measured on the recovery store. */
  readonly recoveryRestarts: number;
  /** Addresses with counter state in the store the snapshot workload snapshots and restores. */
  readonly snapshotAddresses: number;
}

/** Under 3 minutes for both flavours on a 2-core laptop. */
export const QUICK: Profile = Object.freeze({
  name: 'quick',
  warmupMs: 2_000,
  durationMs: 8_000,
  ceilingWarmupMs: 1_000,
  ceilingDurationMs: 3_000,
  sequentialWarmupMs: 1_000,
  sequentialDurationMs: 4_000,
  drainMs: 5_000,
  hotKeyMessages: 20_000,
  recoveryAddresses: 200_000,
  recoveryMessages: 20_000,
  recoveryRestarts: 2,
  snapshotAddresses: 200_000,
});

/** `--full`: 30 s windows and the 1M-address recovery and snapshot stores of the issues. */
export const FULL: Profile = Object.freeze({
  name: 'full',
  warmupMs: 5_000,
  durationMs: 30_000,
  ceilingWarmupMs: 3_000,
  ceilingDurationMs: 15_000,
  sequentialWarmupMs: 3_000,
  sequentialDurationMs: 30_000,
  drainMs: 30_000,
  hotKeyMessages: 20_000,
  recoveryAddresses: 1_000_000,
  recoveryMessages: 100_000,
  recoveryRestarts: 3,
  snapshotAddresses: 1_000_000,
});
