/**
 * `npm run chaos -- --cluster` (scripts/chaos-cluster.mjs): a seeded random schedule of faults across three real
 * `statehouse run` processes (node ids a, b, c; lease 3 s) on one embedded PostgreSQL, under a steady bank load
 * (deposits, transfers, counters, every op retried on the next process until acknowledged) with delayed messages
 * scheduled before every fault. Each fault is drawn from:
 *
 * - `kill`: SIGKILL a process and restart it with the same `--node-id`;
 * - `twin`: freeze a process (SIGSTOP), start a second one with its node id, thaw the first (SIGCONT), then
 *   SIGKILL one of the two;
 * - `freeze`: SIGSTOP a process past its lease, then SIGCONT;
 * - `pg-restart`: stop PostgreSQL (fast shutdown), keep it down 2-5 s, start it again.
 *
 * At the end: every key group owned by a live process, nothing pending, every op applied exactly once, every
 * delayed message fired once, no process ended on its own or printed an unhandled rejection or TypeError.
 *
 * Skipped unless `CHAOS_CLUSTER=1` (it takes minutes). Knobs: `CHAOS_SEED`, `CHAOS_OPS` (default 1500),
 * `CHAOS_ACTIONS` (default 8). A failed run keeps the output of its processes in
 * `$TMPDIR/statehouse-cluster-chaos/seed-<seed>/<process>.log`.
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
  assertAllReady,
  assertFullyOwned,
  assertNothingPending,
  checkBank,
  crashEvidence,
  expectBank,
  generateBankOps,
  rotatingUrls,
  seededRandom,
  storeBacklog,
  waitFor,
  type BankOp,
  type RuntimeProcess,
} from '@statehouse/testkit';

const IS_ENABLED = process.env['CHAOS_CLUSTER'] === '1';
const SEED = Number(process.env['CHAOS_SEED'] ?? 20261205);
const OPS = Number(process.env['CHAOS_OPS'] ?? 1500);
const ACTIONS = Number(process.env['CHAOS_ACTIONS'] ?? 8);
const LEASE_MS = 3_000;
const NODE_IDS = ['a', 'b', 'c'] as const;
const ACTION_KINDS = ['kill', 'twin', 'freeze', 'pg-restart'] as const;
/** Delayed messages scheduled before each fault, and the range of their delays. */
const DELAYED_PER_ACTION = 2;
const DELAY_RANGE_MS = [200, 6_000] as const;
/** Where a failed run keeps the output of its processes. */
const LOG_DIR = join(tmpdir(), 'statehouse-cluster-chaos', `seed-${SEED}`);

/** One of the three node ids and the process that currently serves it. */
interface Slot {
  readonly nodeId: string;
  node: RuntimeProcess;
}

describe.skipIf(!IS_ENABLED)('cluster chaos: a seeded random schedule of faults', () => {
  const harness = new ClusterHarness({
    leaseTimeoutMs: LEASE_MS,
    hasTimers: true,
    // Embedded even when STATEHOUSE_TEST_PG_URL is set: the schedule stops and starts the server.
    postgresUrl: null,
    unhandledRejections: 'strict',
  });
  beforeAll(() => harness.start(), 60_000);
  afterEach((ctx) => harness.stopProcesses(ctx.task.result?.state === 'fail' ? LOG_DIR : undefined));
  afterAll(() => harness.close());

  it(
    `seed ${SEED}: ${ACTIONS} random faults (SIGKILL + same-id restart, twin incarnations, SIGSTOP past the lease, PostgreSQL restart) under load: exactly-once holds, no process crashes`,
    async () => {
      const random = seededRandom(SEED);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));
      const { pg } = harness;
      const url = await pg.createDatabase();
      const slots: Slot[] = [];
      for (const id of NODE_IDS) slots.push({ nodeId: id, node: await harness.startProcess(url, id) });
      const current = (): RuntimeProcess[] => slots.map((s) => s.node);
      await waitFor('three-way split', () => assertFullyOwned(url, current(), { leaseTimeoutMs: LEASE_MS }), {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      const live = new Set(current());
      const urls = rotatingUrls(live);
      const share = Math.floor(OPS / (ACTIONS + 1));
      // Released one share per fault, so the load flows before and during every fault and never runs out early.
      const load = new SteadyBankLoad(generateBankOps(seededRandom(SEED), { seed: SEED, ops: OPS }), urls, {
        workers: 4,
        paceMs: 20,
        limit: share,
      });
      const delayed = new DelayedMessages(`chaos-${SEED}`);
      const startedAt = Date.now();
      const since = (): string => `+${((Date.now() - startedAt) / 1000).toFixed(1)}s`;

      /** Runs one fault on `slot`; every wait in here shapes the fault, nothing is asserted on its length. */
      const act = async (kind: (typeof ACTION_KINDS)[number], slot: Slot, n: number): Promise<string> => {
        const { nodeId } = slot;
        switch (kind) {
          case 'kill': {
            live.delete(slot.node);
            await slot.node.kill();
            await slot.node.start();
            live.add(slot.node);
            return `SIGKILL ${nodeId}, restarted with the same node id`;
          }
          case 'freeze': {
            const pauseMs = LEASE_MS + between(500, 2_500);
            live.delete(slot.node);
            slot.node.pause();
            await sleep(pauseMs);
            slot.node.resume();
            live.add(slot.node);
            return `SIGSTOP ${nodeId} for ${pauseMs} ms, then SIGCONT`;
          }
          case 'pg-restart': {
            const downMs = between(2_000, 5_000);
            await pg.stopServer();
            await sleep(downMs);
            await pg.startServer();
            return `PostgreSQL stopped (fast) for ${downMs} ms, then started`;
          }
          case 'twin': {
            const old = slot.node;
            const frozenMs = between(500, 3_000);
            const bothMs = between(1_000, 4_000);
            const isOldKilled = random() < 0.5;
            live.delete(old);
            old.pause();
            const twin = await harness.startProcess(url, nodeId, `${nodeId}-twin${n}`);
            live.add(twin);
            await sleep(frozenMs);
            old.resume();
            live.add(old);
            await sleep(bothMs);
            const [victim, survivor] = isOldKilled ? [old, twin] : [twin, old];
            live.delete(victim);
            await victim.kill();
            slot.node = survivor;
            return (
              `SIGSTOP ${nodeId}, twin ${nodeId}-twin${n} started with its node id, SIGCONT ${nodeId} after ` +
              `${frozenMs} ms more, SIGKILL the ${isOldKilled ? 'old one' : 'twin'} ${bothMs} ms later`
            );
          }
        }
      };

      const schedule: string[] = [];
      /** Adds the schedule so far and what the database is doing to an error, for the report. */
      const explain = async (err: unknown): Promise<Error> => {
        const backlog = await storeBacklog(url, harness.processes).catch((e: unknown) => String(e));
        return new Error(
          `${String(err)}\nseed ${SEED}; schedule:\n${schedule.join('\n')}\nstore: ${JSON.stringify(backlog)}`,
          { cause: err },
        );
      };
      let ops: BankOp[] = [];
      try {
        for (let n = 1; n <= ACTIONS; n++) {
          await load.progress(Math.max(0, n * share - load.acknowledged), `load before fault ${n}`, 120_000);
          load.allow((n + 1) * share);
          const delays = Array.from({ length: DELAYED_PER_ACTION }, () => between(...DELAY_RANGE_MS));
          await delayed.schedule(urls, delays);
          const kind = pick(ACTION_KINDS);
          const slot = pick(slots);
          const begun = Date.now();
          const target = kind === 'pg-restart' ? '' : ` on ${slot.nodeId}`;
          schedule.push(`fault ${n}/${ACTIONS} at ${since()} (${begun}): ${kind}${target}`);
          const what = await act(kind, slot, n);
          schedule[schedule.length - 1] +=
            `: ${what}; took ${Date.now() - begun} ms; ${load.acknowledged} ops acknowledged`;
          console.log(schedule[schedule.length - 1]);
        }
        ops = await load.finish();
        console.log(`${since()}: all ${ops.length} ops acknowledged`);

        await waitFor(
          'every key group owned by a live process',
          () => assertFullyOwned(url, current(), { leaseTimeoutMs: LEASE_MS }),
          { timeoutMs: LEASE_MS + 20_000, intervalMs: 250 },
        );
        await waitFor('every accepted message delivered', () => assertNothingPending(url, LEASE_MS), {
          timeoutMs: 30_000,
          intervalMs: 250,
        });
      } catch (err) {
        throw await explain(err);
      }
      const api = new ApiClient(current()[0]!.url);
      const problems = [
        ...(
          await checkBank(api, expectBank(ops), 60_000).catch(async (err: unknown) => {
            throw await explain(err);
          })
        ).problems,
        ...(await delayed.check(api, 30_000)),
      ];
      // What is still in the store explains a message or delayed message that never arrived.
      const backlog = problems.length > 0 ? JSON.stringify(await storeBacklog(url, harness.processes)) : '';
      const context = `seed ${SEED}; schedule:\n${schedule.join('\n')}\nleft in the store: ${backlog}`;
      // Soft: a failure reports every kind of problem at once.
      expect.soft(problems, context).toEqual([]);
      expect.soft(harness.processes.flatMap(crashEvidence), context).toEqual([]);
      expect
        .soft(
          slots.filter((s) => !s.node.isRunning).map((s) => s.nodeId),
          context,
        )
        .toEqual([]);
      await waitFor('every process ready at the end', () => assertAllReady(current()), {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      console.log(
        `seed ${SEED}: ${ops.length} ops and ${delayed.count} delayed messages, each applied once; ${since()} in all`,
      );
    },
    180_000 + ACTIONS * 30_000 + OPS * 50,
  );
});
