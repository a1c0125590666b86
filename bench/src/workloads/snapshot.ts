/**
 * snapshot: what a snapshot of a large store costs a runtime under load, and how long restoring it takes. On the
 * embedded store (SQLite), with N addresses of counter state written straight into the store
 * ({@link fillRecoveryStore}):
 *
 * 1. a runtime on that store runs the counter load of the counter workload (c=64, 1,000 keys): a warm-up, then
 *    the baseline window, then `POST /v1/admin/snapshots` to a local directory while the load goes on, until
 *    the runtime answers with its report ("during snapshot");
 * 2. the runtime stops, and the bench process restores the snapshot into a fresh data directory
 *    (`restoreSnapshot`, as `statehouse restore` does), timed from the call to its return.
 *
 * RSS is the runtime child process's `VmRSS` (`/proc/<pid>/status`), sampled every 100 ms.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { DEFAULT_KEY_GROUPS, restoreSnapshot, type SnapshotReport } from '@statehouse/runtime';
import { moduleYaml } from '@statehouse/testkit';
import { request } from 'undici';

import { now, sleep } from '../load.js';
import { COUNTER_EGRESS, COUNTER_TYPE } from '../names.js';
import { makeTempDir, startRuntime, type RuntimeHandle, type ServiceHandle } from '../processes.js';
import { fillRecoveryStore, type RecoveryFixture } from '../recovery-fixture.js';
import { PhasedCounterLoad, type PhaseResult } from './phased-load.js';

/** Requests in flight of the counter load. */
export const SNAPSHOT_CONCURRENCY = 64;

/** Settings of the snapshot workload. */
export interface SnapshotOptions {
  /** Addresses of `bench/counter` with a `count` state in the store. */
  readonly addresses: number;
  /** Warm-up of the counter load. */
  readonly warmupMs: number;
  /** The baseline window. */
  readonly durationMs: number;
  /** How long to wait for the load's last records after it stops. */
  readonly drainMs: number;
}

/** The snapshot taken under load. */
export interface SnapshotTakenUnderLoad {
  /** What the runtime answered. */
  readonly report: SnapshotReport;
  /** POST sent → its answer received, as the bench saw it. */
  readonly requestMs: number;
}

/** The restore of that snapshot into a fresh data directory. */
export interface SnapshotRestoreResult {
  /** The `restoreSnapshot` call → its return, in the bench process. */
  readonly ms: number;
  /** Rows loaded, by table. */
  readonly rows: Readonly<Record<string, number>>;
}

/** What one snapshot run measured. */
export interface SnapshotResult {
  readonly fixture: RecoveryFixture;
  readonly concurrency: number;
  /** The runtime's spawn → ready on the filled store. */
  readonly readyMs: number;
  readonly baseline: PhaseResult;
  /** The load while the snapshot was being taken (from the POST to its answer). */
  readonly during: PhaseResult;
  readonly snapshot: SnapshotTakenUnderLoad;
  readonly restore: SnapshotRestoreResult;
}

/** The module: the counter on the bench service, its log egress. */
function snapshotModule(serviceUrl: string): string {
  return moduleYaml({
    endpoints: [{ functions: COUNTER_TYPE, urlPathTemplate: `${serviceUrl}/statefun` }],
    logEgresses: [COUNTER_EGRESS],
  });
}

/**
 * Asks a running runtime for a snapshot of its store.
 *
 * @param url - the runtime's API URL.
 * @param to - the directory the snapshot goes to.
 * @returns its report and how long the request took.
 * @throws when the runtime answers other than 200.
 */
async function takeSnapshot(url: string, to: string): Promise<SnapshotTakenUnderLoad> {
  const sent = now();
  const res = await request(`${url}/v1/admin/snapshots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to }),
  });
  const text = await res.body.text();
  const requestMs = now() - sent;
  if (res.statusCode !== 200) throw new Error(`POST /v1/admin/snapshots answered ${res.statusCode}: ${text}`);
  return { report: JSON.parse(text) as SnapshotReport, requestMs };
}

/** Runs the counter load through warm-up, baseline and a snapshot taken meanwhile. */
async function snapshotUnderLoad(
  runtime: RuntimeHandle,
  options: SnapshotOptions,
  to: string,
): Promise<Pick<SnapshotResult, 'baseline' | 'during' | 'snapshot'>> {
  const load = new PhasedCounterLoad(runtime, SNAPSHOT_CONCURRENCY);
  try {
    load.start('warm-up');
    await sleep(options.warmupMs);
    load.next('baseline');
    await sleep(options.durationMs);
    load.next('during snapshot');
    const snapshot = await takeSnapshot(runtime.url, to);
    const [, baseline, during] = await load.stop(options.drainMs);
    return { baseline: baseline!, during: during!, snapshot };
  } finally {
    // A no-op once it stopped; after a failure, it stops the load without hiding the failure.
    await load.stop(0).catch(() => undefined);
  }
}

/**
 * Restores a snapshot into a new data directory and times it.
 *
 * @param from - the snapshot's location.
 * @param dataDir - the target (must not exist yet, or be empty).
 * @returns how long it took and the rows loaded.
 */
async function timeRestore(from: string, dataDir: string): Promise<SnapshotRestoreResult> {
  const started = now();
  const restored = await restoreSnapshot({ from, target: { kind: 'sqlite', dataDir } });
  return { ms: now() - started, rows: restored.rows };
}

/**
 * Runs the snapshot workload: builds the store, snapshots it under load, restores it.
 *
 * @param service - the running function service of the counter (our SDK's).
 * @param options - store size and durations.
 * @returns the load before and during the snapshot, the snapshot's report, and the restore time.
 * @throws when a runtime fails, the snapshot is refused, or the restore fails.
 */
export async function runSnapshot(service: ServiceHandle, options: SnapshotOptions): Promise<SnapshotResult> {
  const workDir = await makeTempDir('statehouse-bench-snapshot-');
  const dataDir = join(workDir, 'data');
  const module = snapshotModule(service.url);
  try {
    // The first start creates the schema; the store is then filled with the runtime stopped.
    await (await startRuntime({ moduleYaml: module, dataDir, workDir })).stop();
    const fixture = fillRecoveryStore({
      file: join(dataDir, 'statehouse.db'),
      addresses: options.addresses,
      messages: 0,
      keyGroups: DEFAULT_KEY_GROUPS,
    });
    const runtime = await startRuntime({ moduleYaml: module, dataDir, workDir, readyTimeoutMs: 120_000 });
    let underLoad: Pick<SnapshotResult, 'baseline' | 'during' | 'snapshot'>;
    try {
      underLoad = await snapshotUnderLoad(runtime, options, join(workDir, 'snapshots'));
    } finally {
      await runtime.stop();
    }
    const restore = await timeRestore(underLoad.snapshot.report.location, join(workDir, 'restored'));
    return { fixture, concurrency: SNAPSHOT_CONCURRENCY, readyMs: runtime.readyMs, ...underLoad, restore };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
