/**
 * Cluster mode with real processes on one PostgreSQL: a SIGKILLed member's key groups move to the
 * survivors; a joining member receives key groups; a rolling restart loses nothing; a paused (SIGSTOP)
 * member is fenced and applies nothing; delayed messages of a killed member fire on a survivor. Every
 * workload is checked for exactly-once effects.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  CLI_BIN,
  ClusterHarness,
  TIMER_TYPES,
  assertSplitAmong,
  checkBank,
  expectBank,
  generateBankOps,
  metricValue,
  ownedKeyGroups,
  seededRandom,
  submitBankOps,
  waitFor,
  type Fired,
  type RuntimeProcess,
} from '@statehouse/testkit';

const LEASE_MS = 3_000;
const KEY_GROUPS = 256;

describe('cluster mode with real processes', () => {
  const harness = new ClusterHarness({ leaseTimeoutMs: LEASE_MS, hasTimers: true });
  beforeAll(() => harness.start(), 60_000);
  afterEach(() => harness.stopProcesses());
  afterAll(() => harness.close());

  const balanced = (list: RuntimeProcess[]) => () => assertSplitAmong(list, KEY_GROUPS);
  /** Whether a process dropped key groups it held (lease expired or taken) or had a commit fenced. */
  const hasLostOwnership = async (node: RuntimeProcess): Promise<boolean> => {
    const metrics = (await new ApiClient(node.url).get<string>('/metrics')).body;
    const lost = metricValue(metrics, 'statehouse_cluster_key_group_changes_total', { kind: 'lost' }) ?? 0;
    return lost > 0 || (metricValue(metrics, 'statehouse_cluster_fencing_aborts_total') ?? 0) > 0;
  };

  it('a SIGKILLed member: survivors take its key groups within the lease timeout; exactly-once holds', async () => {
    const url = await harness.pg.createDatabase();
    const [a, b, c] = [
      await harness.startProcess(url, 'a'),
      await harness.startProcess(url, 'b'),
      await harness.startProcess(url, 'c'),
    ];
    await waitFor('three-way split', balanced([a, b, c]), { timeoutMs: 15_000 });
    const live = new Set([a, b, c]);
    const ops = generateBankOps(seededRandom(7), { seed: 7, ops: 1200 });
    let killedAt = 0;
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, 700));
      live.delete(c);
      killedAt = Date.now();
      await c.kill();
    })();
    await Promise.all([submitBankOps(ops, () => [...live].map((n) => n.url)), killer]);
    await waitFor('survivors own everything', balanced([a, b]), { timeoutMs: LEASE_MS + 10_000 });
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(LEASE_MS + 5_000);
    // Operators see it too.
    const cli = spawnSync(
      process.execPath,
      [CLI_BIN, 'cluster', 'status', '--store', url, '--json', '--lease-timeout-ms', String(LEASE_MS)],
      { encoding: 'utf8' },
    );
    expect(cli.status).toBe(0);
    const status = JSON.parse(cli.stdout) as {
      members: { nodeId: string; live: boolean; keyGroups: number }[];
    };
    expect(
      status.members
        .filter((m) => m.live)
        .map((m) => m.nodeId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(status.members.reduce((n, m) => n + m.keyGroups, 0)).toBe(KEY_GROUPS);
    const result = await checkBank(new ApiClient(a.url), expectBank(ops), 20_000);
    expect(result.problems).toEqual([]);
  }, 120_000);

  it('a joining member receives key groups, and a rolling restart under load loses nothing', async () => {
    const url = await harness.pg.createDatabase();
    const list = [
      await harness.startProcess(url, 'a'),
      await harness.startProcess(url, 'b'),
      await harness.startProcess(url, 'c'),
    ];
    await waitFor('three-way split', balanced(list), { timeoutMs: 15_000 });
    const live = new Set(list);
    const ops = generateBankOps(seededRandom(11), { seed: 11, ops: 2000 });
    const chaos = (async () => {
      const d = await harness.startProcess(url, 'd');
      live.add(d);
      list.push(d);
      await waitFor('d receives key groups', async () => (await ownedKeyGroups(d)) > 0, {
        timeoutMs: 15_000,
      });
      for (const node of list) {
        live.delete(node);
        expect(await node.stop('SIGTERM')).toBe(0);
        await node.start();
        live.add(node);
      }
    })();
    await Promise.all([submitBankOps(ops, () => [...live].map((n) => n.url)), chaos]);
    await waitFor('four-way split', balanced(list), { timeoutMs: 20_000 });
    const result = await checkBank(new ApiClient(list[0]!.url), expectBank(ops));
    expect(result.problems).toEqual([]);
  }, 180_000);

  it('a member paused past its lease is fenced on resume and applies nothing stale', async () => {
    const url = await harness.pg.createDatabase();
    const [a, b] = [await harness.startProcess(url, 'a'), await harness.startProcess(url, 'b')];
    await waitFor('two-way split', balanced([a, b]), { timeoutMs: 15_000 });
    const live = new Set([a, b]);
    const ops = generateBankOps(seededRandom(13), { seed: 13, ops: 1500 });
    const chaos = (async () => {
      await new Promise((r) => setTimeout(r, 500));
      live.delete(b);
      b.pause();
      await waitFor('a owns everything', async () => (await ownedKeyGroups(a)) === KEY_GROUPS, {
        timeoutMs: LEASE_MS + 10_000,
      });
      b.resume();
      await waitFor('b notices it lost its leases', () => hasLostOwnership(b), { timeoutMs: 15_000 });
      live.add(b);
    })();
    await Promise.all([submitBankOps(ops, () => [...live].map((n) => n.url)), chaos]);
    await waitFor('two-way split again', balanced([a, b]), { timeoutMs: 20_000 });
    const result = await checkBank(new ApiClient(a.url), expectBank(ops));
    expect(result.problems).toEqual([]);
  }, 120_000);

  it('delayed messages of a killed member fire once on a survivor', async () => {
    const url = await harness.pg.createDatabase();
    const [a, b] = [await harness.startProcess(url, 'a'), await harness.startProcess(url, 'b')];
    await waitFor('two-way split', balanced([a, b]), { timeoutMs: 15_000 });
    const api = new ApiClient(a.url);
    const labels = Array.from({ length: 20 }, (_, i) => `late-${i}`);
    for (const [i, label] of labels.entries()) {
      expect(
        (
          await api.ingressJson('timer/scheduler', `s${i}`, TIMER_TYPES.schedule, {
            label,
            delayMs: 2_500,
            sinkId: `k${i}`,
          })
        ).status,
      ).toBe(202);
    }
    await waitFor('all scheduled', async () => {
      const states = await Promise.all(labels.map((_, i) => api.state('timer/scheduler', `s${i}`)));
      return states.every((s) => s.body.values?.['scheduled']?.json === 1);
    });
    await b.kill();
    const fired = await waitFor(
      'every delayed message fired',
      async () => {
        const all = (await api.allEgress(TIMER_TYPES.egress)).map((r) => r.json as Fired);
        return all.length >= labels.length ? all : undefined;
      },
      { timeoutMs: LEASE_MS + 15_000 },
    );
    // Once: a holds every key group and has nothing left to fire or run, so no second record can follow.
    await waitFor(
      'a owns everything and is idle',
      async () => {
        if ((await ownedKeyGroups(a)) !== KEY_GROUPS) return false;
        const metrics = (await api.get<string>('/metrics')).body;
        // The store's backlog too: the inbox gauge counts only what is held in memory.
        const { backlog } = (await api.get<{ backlog: { messages: number }[] }>('/v1/backlog')).body;
        return (
          backlog.every((b) => b.messages === 0) &&
          [
            'statehouse_timers_pending',
            'statehouse_inbox_messages',
            'statehouse_invocations_in_flight',
          ].every((name) => metricValue(metrics, name) === 0)
        );
      },
      { timeoutMs: LEASE_MS + 15_000 },
    );
    const all = (await api.allEgress(TIMER_TYPES.egress)).map((r) => r.json as Fired);
    expect(all.map((f) => f.label).sort()).toEqual([...labels].sort());
    expect(fired.every((f) => f.firedAt - f.scheduledAt >= 2_500)).toBe(true);
  }, 90_000);
});
