// `npm run chaos -- --cluster`: a seeded random schedule of faults across three runtime processes on one
// embedded PostgreSQL (SIGKILL + same-id restart, twin incarnations, SIGSTOP past the lease, PostgreSQL restart)
// under a bank workload with delayed messages, checked for exactly-once at the end. Runs
// packages/runtime/test/cluster/cluster-chaos-random.test.ts (skipped unless CHAOS_CLUSTER=1) once per round.
// Prints each round's seed; replay one with CHAOS_SEED=<seed> npm run chaos -- --cluster.
// Knobs: CHAOS_SEED, CHAOS_OPS (default 1500), CHAOS_ACTIONS (default 8), CHAOS_ROUNDS (default 3).
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const TEST_FILE = 'packages/runtime/test/cluster/cluster-chaos-random.test.ts';

/**
 * Runs the rounds. @returns the exit code: 0 when every round passed, else the failed round's.
 */
export function runClusterChaos() {
  const rounds = Number(process.env.CHAOS_ROUNDS ?? 3);
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    const seed = process.env.CHAOS_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
    const env = {
      ...process.env,
      CHAOS_CLUSTER: '1',
      CHAOS_SEED: seed,
      CHAOS_OPS: process.env.CHAOS_OPS ?? '1500',
      CHAOS_ACTIONS: process.env.CHAOS_ACTIONS ?? '8',
    };
    console.log(
      `cluster chaos round ${round}/${rounds}: CHAOS_SEED=${seed} CHAOS_OPS=${env.CHAOS_OPS} CHAOS_ACTIONS=${env.CHAOS_ACTIONS}`,
    );
    const started = Date.now();
    const r = spawnSync('npx', ['vitest', 'run', TEST_FILE], { stdio: 'inherit', env });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    results.push(`seed ${seed}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
    if (r.status !== 0) {
      console.error(results.join('\n'));
      console.error(`cluster chaos failed; replay with CHAOS_SEED=${seed} npm run chaos -- --cluster`);
      return r.status ?? 1;
    }
    if (process.env.CHAOS_SEED !== undefined) break;
  }
  console.log(results.join('\n'));
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(runClusterChaos());
