// `npm run chaos`: a longer, randomized exactly-once run under SIGKILL. Prints the seed so a failure can be
// replayed with CHAOS_SEED=<seed> npm run chaos. Override CHAOS_OPS / CHAOS_KILLS / CHAOS_ROUNDS as needed.
// `npm run chaos -- --cluster` runs the cluster chaos instead (scripts/chaos-cluster.mjs).
import { spawnSync } from 'node:child_process';

if (process.argv.slice(2).includes('--cluster')) {
  const { runClusterChaos } = await import('./chaos-cluster.mjs');
  process.exit(runClusterChaos());
}

const rounds = Number(process.env.CHAOS_ROUNDS ?? 3);
for (let round = 1; round <= rounds; round++) {
  const seed = process.env.CHAOS_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
  const env = {
    ...process.env,
    CHAOS_SEED: seed,
    CHAOS_OPS: process.env.CHAOS_OPS ?? '5000',
    CHAOS_KILLS: process.env.CHAOS_KILLS ?? '15',
  };
  console.log(
    `chaos round ${round}/${rounds}: CHAOS_SEED=${seed} CHAOS_OPS=${env.CHAOS_OPS} CHAOS_KILLS=${env.CHAOS_KILLS}`,
  );
  const r = spawnSync(
    'npx',
    ['vitest', 'run', 'packages/runtime/test/integration/sigkill-exactly-once.test.ts'],
    { stdio: 'inherit', env },
  );
  if (r.status !== 0) {
    console.error(`chaos failed; replay with CHAOS_SEED=${seed} npm run chaos`);
    process.exit(r.status ?? 1);
  }
  if (process.env.CHAOS_SEED !== undefined) break;
}
