/**
 * recovery and footprint: time from spawn to the first `/readyz` 200 on a store with many addresses and
 * pending messages (written directly by {@link fillRecoveryStore}), and the runtime's RSS once ready.
 * The pending messages target a function whose endpoint has nothing listening, so they stay pending; no
 * function service is involved.
 */
import { join } from 'node:path';

import { DEFAULT_KEY_GROUPS } from '@statehouse/runtime';
import { moduleYaml } from '@statehouse/testkit';

import { sleep } from '../load.js';
import { COUNTER_EGRESS } from '../names.js';
import { freePort, makeTempDir, rssBytes, RssSampler, startRuntime } from '../processes.js';
import type { Profile } from '../profile.js';
import { fillRecoveryStore, type RecoveryFixture } from '../recovery-fixture.js';

/** RSS is sampled for this long after ready. */
const RSS_AFTER_READY_MS = 1_000;

/** One restart on the recovery store. */
export interface RestartMeasurement {
  readonly readyMs: number;
  readonly rssAtReadyMB: number;
  /** Largest RSS within 1 s after ready (the dispatcher starts on the pending messages). */
  readonly rssMaxAfterReadyMB: number;
}

/** What the recovery workload measured. */
export interface RecoveryResult {
  /** Spawn → ready on the new, empty data dir (Node and CLI start-up, schema creation): the baseline. */
  readonly emptyReadyMs: number;
  readonly fixture: RecoveryFixture;
  readonly restarts: readonly RestartMeasurement[];
}

/**
 * Builds the recovery store once (in a temp dir, for this run only) and restarts the runtime on it.
 *
 * @param profile - store size and number of restarts.
 * @returns the fixture and one measurement per restart.
 */
export async function runRecovery(profile: Profile): Promise<RecoveryResult> {
  const workDir = await makeTempDir('statehouse-bench-recovery-');
  const dataDir = join(workDir, 'data');
  const deadPort = await freePort();
  const module = moduleYaml({
    endpoints: [{ functions: 'bench/*', urlPathTemplate: `http://127.0.0.1:${deadPort}/statefun` }],
    logEgresses: [COUNTER_EGRESS],
  });
  const first = await startRuntime({ moduleYaml: module, dataDir, workDir });
  await first.stop();
  const fixture = fillRecoveryStore({
    file: join(dataDir, 'statehouse.db'),
    addresses: profile.recoveryAddresses,
    messages: profile.recoveryMessages,
    keyGroups: DEFAULT_KEY_GROUPS,
  });
  const restarts: RestartMeasurement[] = [];
  for (let i = 0; i < profile.recoveryRestarts; i++) {
    const runtime = await startRuntime({ moduleYaml: module, dataDir, workDir, readyTimeoutMs: 120_000 });
    try {
      const rssAtReady = rssBytes(runtime.pid);
      const sampler = new RssSampler(runtime.pid, 50);
      await sleep(RSS_AFTER_READY_MS);
      restarts.push({
        readyMs: runtime.readyMs,
        rssAtReadyMB: rssAtReady / 1e6,
        rssMaxAfterReadyMB: sampler.stop() / 1e6,
      });
    } finally {
      await runtime.stop();
    }
  }
  return { emptyReadyMs: first.readyMs, fixture, restarts };
}
