/**
 * The exactly-once Kafka egress in cluster mode: three `statehouse run` processes on one PostgreSQL database run
 * the pipeline of pipeline.ts (Kafka `in` → official SDK counter → Kafka `out` in transactions). Only the leader
 * (the owner of key group 0) reads `in` and ships `out`. The leader is SIGKILLed while a transaction is open, and a
 * fourth process joins (key group 0 may move to it: a graceful hand-over, where the old leader finishes its
 * transaction before the new one fences it) while records keep arriving.
 *
 * Proven as in kafka-exactly-once.test.ts, over the shippers' merged log lines: every transaction begins where
 * the previous one (of any process) committed, every new shipper resumes from what Kafka committed, a record seen
 * twice belongs to a transaction in flight at the kill (the mock shows aborted records), every record is in `out`,
 * per-key order is kept and state is exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  RuntimeProcess,
  createTempDir,
  startPostgres,
  waitFor,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';
import { startKafkaRig, type KafkaRig, type OutRecord } from './kafka-rig.js';
import {
  egressCaughtUp,
  expectCountedInOrder,
  pipelineModule,
  servePipelineFunctions,
  statefunString,
} from './pipeline.js';
import {
  checkTransactions,
  killDuringTransaction,
  mergedLogs,
  txEvents,
  unexplainedDuplicates,
} from './transactions.js';

const KEYS = 10;
const TOTAL = 30_000;
const LEASE_MS = 2_000;

describe('Kafka egress exactly once in cluster mode (PostgreSQL, mock cluster, statehouse run ×4)', () => {
  let pg: TestPostgres;
  let rig: KafkaRig;
  let dir: TempDir;
  let out: OutRecord[] = [];
  const members: RuntimeProcess[] = [];

  beforeAll(async () => {
    [pg, dir, rig] = await Promise.all([
      startPostgres(),
      createTempDir(),
      startKafkaRig({
        topics: [
          { name: 'in', partitions: 3 },
          { name: 'out', partitions: 3 },
          // The mock cannot create topics through the admin API: the test creates the positions topic.
          { name: 'statehouse.pipe.out.positions', partitions: 1 },
        ],
        serve: servePipelineFunctions,
        module: (url, brokers) => pipelineModule(url, brokers, 'exactly-once'),
      }),
    ]);
    out = await rig.collect('out');
  }, 120_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    // What a CI log can show: how far the reader got, and each member's last egress and warning lines.
    const lines = [`read ${out.length} records (${distinct()} distinct); missing: ${missingRanges()}`];
    for (const m of members) {
      lines.push(`-- member ${members.indexOf(m)}:`);
      for (const e of m.logs
        .filter((e) => e['egress'] === 'pipe/out' || e['egressId'] === 'pipe/out' || Number(e['level']) >= 40)
        .slice(-25))
        lines.push(JSON.stringify(e).slice(0, 300));
    }
    console.error(lines.join('\n'));
  });

  afterAll(async () => {
    for (const m of members) await m.stop('SIGKILL');
    await rig?.stop();
    await pg?.stop();
    await dir?.cleanup();
  });

  function member(storeUrl: string, nodeId: string): RuntimeProcess {
    const node = new RuntimeProcess({
      dataDir: `${dir.path}/${nodeId}`,
      moduleYaml: pipelineModule(rig.service.url, rig.kafka.brokers, 'exactly-once'),
      args: [
        '--store',
        storeUrl,
        '--node-id',
        nodeId,
        '--lease-timeout-ms',
        String(LEASE_MS),
        '--log-level',
        'debug',
      ],
    });
    members.push(node);
    return node;
  }

  /** The member that ships the egress (the leader), once exactly one does. */
  async function shipper(nodes: readonly RuntimeProcess[]): Promise<RuntimeProcess> {
    return waitFor(
      'one member shipping the egress',
      async () => {
        const shipping: RuntimeProcess[] = [];
        for (const node of nodes) {
          const { body } = await new ApiClient(node.url).get<{ connectors: Record<string, unknown>[] }>(
            '/v1/connectors',
          );
          const egress = body.connectors.find((c) => c['direction'] === 'egress');
          if (egress !== undefined && egress['state'] !== 'standby') shipping.push(node);
        }
        return shipping.length === 1 ? shipping[0] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  const distinct = (): number => new Set(out.map((r) => r.id)).size;

  /** The egress-log offsets below TOTAL not read from `out`, as ranges. */
  function missingRanges(): string {
    const seen = new Set(out.map((r) => Number(r.id.split('/').pop())));
    const ranges: string[] = [];
    for (let o = 0; o < TOTAL; o++) {
      if (seen.has(o)) continue;
      const from = o;
      while (o + 1 < TOTAL && !seen.has(o + 1)) o++;
      ranges.push(from === o ? String(from) : `${from}-${o}`);
    }
    return ranges.length === 0 ? 'none' : ranges.slice(0, 20).join(', ');
  }

  it('ships every record once across a killed leader and a joining member, from the position Kafka committed', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = [member(url, 'a'), member(url, 'b'), member(url, 'c')];
    await Promise.all([a.start(), b.start(), c.start()]);
    // Records keep arriving (about 1,500/s) through every fault.
    const feeding = (async () => {
      for (let from = 0; from < TOTAL; from += 300) {
        const messages = [];
        for (let i = from; i < from + 300; i++)
          messages.push({ key: `k${i % KEYS}`, value: statefunString(`v${i}`) });
        await rig.producer.send({ topic: 'in', messages });
        await sleep(200);
      }
    })();

    // The lead may move while the members join (a graceful hand-over); the kill hits whoever ships then.
    const first = await killDuringTransaction([a, b, c], 6_000, { timeoutMs: 60_000 });
    const d = member(url, 'd');
    await d.start();
    const live = [...[a, b, c].filter((m) => m !== first), d];
    const second = await shipper(live);
    expect(second).not.toBe(first);

    await feeding;
    await waitFor(`${TOTAL} distinct outputs`, () => distinct() >= TOTAL, {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    expect(distinct()).toBe(TOTAL);
    const now = await shipper(live);
    const api = new ApiClient(now.url);
    await expectCountedInOrder(api, out, TOTAL, KEYS);
    expect(await egressCaughtUp(api)).toMatchObject({ state: 'shipping', shipped: TOTAL, head: TOTAL });

    // The producers' side, over every process's log lines in time order.
    const events = txEvents(mergedLogs(members));
    const { problems, inFlight } = checkTransactions(events);
    expect(problems).toEqual([]);
    // Shippers that followed each other: the first leader, the one after the kill, maybe the joiner.
    expect(events.filter((e) => e.kind === 'recovered').length).toBeGreaterThanOrEqual(2);
    expect(unexplainedDuplicates(out, inFlight)).toEqual([]);
  }, 300_000);
});
