/**
 * Cluster mode across PostgreSQL restarts: three real `statehouse run` processes share one embedded PostgreSQL
 * under a steady bank load (deposits, transfers, counters, every op retried on the next process until
 * acknowledged) with delayed messages due before, during and after each outage. The server is stopped the way
 * `pg_ctl stop -m fast` does, kept down for 5 s and started again, twice. While it is down some process reports
 * `/readyz` 503 `store-unreachable`; afterwards every process is ready again, none ended on its own or printed an
 * unhandled rejection or TypeError (they run with `--unhandled-rejections=strict`), every accepted op was applied
 * exactly once and every delayed message fired once. When the test fails, the output of its processes is kept in
 * `$TMPDIR/statehouse-postgres-restart-cluster/<process>.log`.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ClusterHarness,
  DelayedMessages,
  SteadyBankLoad,
  checkBank,
  assertAllReady,
  assertFullyOwned,
  assertNothingPending,
  crashEvidence,
  expectBank,
  generateBankOps,
  readiness,
  rotatingUrls,
  seededRandom,
  storeBacklog,
  waitFor,
  type RuntimeProcess,
} from '@statehouse/testkit';

const LEASE_MS = 3_000;
const OUTAGES = 2;
/** How long the server stays down in each outage. */
const DOWN_MS = 5_000;
/** Ops acknowledged before each outage (the load is running) and after it (the cluster serves again). */
const OPS_AROUND_OUTAGE = 150;
/** Delays of the messages scheduled just before each outage: due during it, right after it, and later. */
const DELAYS_MS = [300, 1_500, 3_000, 4_500, 6_000, 8_000];
const SEED = 20261205;
/** Where a failed run keeps the output of its processes. */
const LOG_DIR = join(tmpdir(), 'statehouse-postgres-restart-cluster');

describe('cluster mode across PostgreSQL restarts', () => {
  const harness = new ClusterHarness({
    leaseTimeoutMs: LEASE_MS,
    hasTimers: true,
    // Embedded even when STATEHOUSE_TEST_PG_URL is set: the test stops and starts the server.
    postgresUrl: null,
    unhandledRejections: 'strict-verified',
  });
  beforeAll(() => harness.start(), 60_000);
  afterEach((ctx) => harness.stopProcesses(ctx.task.result?.state === 'fail' ? LOG_DIR : undefined));
  afterAll(() => harness.close());

  const fullyOwned = (storeUrl: string, nodes: readonly RuntimeProcess[]) => () =>
    assertFullyOwned(storeUrl, nodes, { leaseTimeoutMs: LEASE_MS });

  it(`PostgreSQL stopped under load for ${DOWN_MS} ms and started again, ${OUTAGES} times: processes report store-unreachable, stay up, serve again; every op and delayed message exactly once`, async () => {
    const { pg } = harness;
    const url = await pg.createDatabase();
    const nodes = [
      await harness.startProcess(url, 'a'),
      await harness.startProcess(url, 'b'),
      await harness.startProcess(url, 'c'),
    ];
    await waitFor('three-way split', fullyOwned(url, nodes), { timeoutMs: 20_000, intervalMs: 200 });
    const urls = rotatingUrls(nodes);
    const load = new SteadyBankLoad(generateBankOps(seededRandom(SEED), { seed: SEED, ops: 20_000 }), urls, {
      workers: 6,
      paceMs: 20,
    });
    const delayed = new DelayedMessages('pg-restart');
    for (let outage = 1; outage <= OUTAGES; outage++) {
      await load.progress(OPS_AROUND_OUTAGE, `outage ${outage}: load before the outage`);
      await delayed.schedule(urls, DELAYS_MS);
      const stoppingAt = Date.now();
      await pg.stopServer();
      const stoppedAt = Date.now();
      const unready = await waitFor(
        `outage ${outage}: some process to report store-unreachable while the server is down`,
        async () => {
          const answers = await Promise.all(nodes.map(readiness));
          const i = answers.findIndex(
            (a) => a.status === 503 && (a.body as { status?: string }).status === 'store-unreachable',
          );
          return i >= 0 ? `${harness.processes[i]!.name} after ${Date.now() - stoppedAt} ms` : undefined;
        },
        { timeoutMs: DOWN_MS, intervalMs: 100 },
      );
      // Shapes the fault (the server down for DOWN_MS in all); nothing is asserted on the time.
      await sleep(Math.max(0, stoppedAt + DOWN_MS - Date.now()));
      expect(harness.processes.filter(({ node }) => !node.isRunning).map(({ name }) => name)).toEqual([]);
      await pg.startServer();
      const startedAt = Date.now();
      await waitFor(`outage ${outage}: every process ready again`, () => assertAllReady(nodes), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const readyMs = Date.now() - startedAt;
      const acked = load.acknowledged;
      await load.progress(OPS_AROUND_OUTAGE, `outage ${outage}: load after the restart`);
      console.log(
        `outage ${outage}: server stopping at ${stoppingAt}, stopped at ${stoppedAt}, started at ${startedAt}; ` +
          `store-unreachable seen on ${unready}; all ready ${readyMs} ms after the start; ` +
          `${acked} ops acknowledged when ready`,
      );
    }
    const ops = await load.stop();
    await waitFor('every key group owned again', fullyOwned(url, nodes), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    await waitFor('every accepted message delivered', () => assertNothingPending(url, LEASE_MS), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const api = new ApiClient(nodes[0]!.url);
    const problems = [
      ...(await checkBank(api, expectBank(ops), 30_000)).problems,
      ...(await delayed.check(api, 30_000)),
    ];
    // What is still in the store explains a message or delayed message that never arrived.
    const backlog = problems.length > 0 ? JSON.stringify(await storeBacklog(url, harness.processes)) : '';
    // Soft: a failure reports every kind of problem at once.
    expect.soft(problems, `left in the store: ${backlog}`).toEqual([]);
    expect.soft(harness.processes.flatMap(crashEvidence)).toEqual([]);
    expect.soft(harness.processes.filter(({ node }) => !node.isRunning).map(({ name }) => name)).toEqual([]);
    await waitFor('every process ready at the end', () => assertAllReady(nodes), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    console.log(`${ops.length} ops and ${delayed.count} delayed messages, each applied once`);
  }, 240_000);
});
