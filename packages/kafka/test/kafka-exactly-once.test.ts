/**
 * Exactly-once Kafka egress (`deliverySemantic: exactly-once`): the pipeline of pipeline.ts with the egress shipped
 * in Kafka transactions, each carrying the egress-log position it ends at into the positions topic.
 *
 * Without a kill, every output record reaches `out` exactly once. With 100,000 more records and three SIGKILLs of the
 * runtime while it ships,
 * the proof is from the producer's side, because librdkafka's mock shows records of aborted transactions to
 * read_committed consumers (a real broker hides them): every transaction was begun at the position the previous
 * one committed (or at the recovered position), after every restart the recovered position is what Kafka
 * committed (the last committed transaction's end, or the end of the one in flight at the kill, whose commit may
 * have landed), and a record seen twice in `out` belongs to a transaction in flight at a kill (aborted, its records
 * sent again). State is exactly once throughout.
 */
import type { Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, waitFor, type RuntimeProcess } from '@statehouse/testkit';
import { startKafkaRig, type KafkaRig, type OutRecord } from './kafka-rig.js';
import {
  egressCaughtUp,
  expectCountedInOrder,
  pipelineModule,
  servePipelineFunctions,
  statefunString,
} from './pipeline.js';
import { checkTransactions, killDuringTransaction, txEvents, unexplainedDuplicates } from './transactions.js';

const KEYS = 10;
const QUIET = 2_000;
const WITH_KILLS = 100_000;
const KILLS = 3;
const POSITIONS_TOPIC = 'statehouse.pipe.out.positions';

describe('Kafka egress exactly once (mock cluster, official SDK, statehouse run)', () => {
  let rig: KafkaRig;
  let runtime: RuntimeProcess;
  let producer: Producer;
  let out: OutRecord[] = [];

  beforeAll(async () => {
    rig = await startKafkaRig({
      topics: [
        { name: 'in', partitions: 3 },
        { name: 'out', partitions: 3 },
        // The mock cannot create topics through the admin API (it names no controller): the test creates it.
        { name: POSITIONS_TOPIC, partitions: 1 },
      ],
      serve: servePipelineFunctions,
      module: (url, brokers) => pipelineModule(url, brokers, 'exactly-once'),
      runtimeArgs: ['--log-level', 'debug'],
    });
    ({ runtime, producer } = rig);
    out = await rig.collect('out');
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    // What a CI log can show: how far the reader got against what `out` holds, and the runtime's last egress and
    // warning lines.
    const admin = rig.client.admin();
    await admin.connect();
    const high = (await admin.fetchTopicOffsets('out')).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();
    console.error(
      [
        `read ${out.length} records (${distinct()} distinct); topic out holds ${high}`,
        ...runtime.logs
          .filter(
            (e) => e['egress'] === 'pipe/out' || e['egressId'] === 'pipe/out' || Number(e['level']) >= 40,
          )
          .slice(-40)
          .map((e) => JSON.stringify(e).slice(0, 300)),
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await rig?.stop();
  });

  async function produce(from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += 500) {
      const messages = [];
      for (let i = start; i < Math.min(start + 500, to); i++)
        messages.push({ key: `k${i % KEYS}`, value: statefunString(`v${i}`) });
      await producer.send({ topic: 'in', messages });
    }
  }

  const distinct = (): number => new Set(out.map((r) => r.id)).size;

  it('without kills, every output record reaches Kafka exactly once, in transactions that follow each other', async () => {
    await produce(0, QUIET);
    await runtime.start();
    await waitFor(`${QUIET} outputs`, () => out.length >= QUIET, { timeoutMs: 60_000, intervalMs: 100 });
    expect(out.length).toBe(QUIET);
    expect(distinct()).toBe(QUIET);
    const events = txEvents(runtime.logs);
    expect(checkTransactions(events).problems).toEqual([]);
    expect(events.filter((e) => e.kind === 'committed').at(-1)).toMatchObject({ next: QUIET });
  }, 120_000);

  it('across SIGKILLs while shipping: state exactly once, every output present, positions recovered from Kafka', async () => {
    await produce(QUIET, QUIET + WITH_KILLS);
    for (let kill = 1; kill <= KILLS; kill++) {
      // Each kill lands while a transaction is open, past a share of the egress log.
      await killDuringTransaction(runtime, QUIET + Math.round((kill * WITH_KILLS) / (KILLS + 1)));
      await runtime.start();
    }
    const total = QUIET + WITH_KILLS;
    await waitFor(`${total} distinct outputs`, () => distinct() >= total, {
      timeoutMs: 180_000,
      intervalMs: 200,
    });
    expect(distinct()).toBe(total);

    const api = new ApiClient(runtime.url);
    await expectCountedInOrder(api, out, total, KEYS);
    // The producer's side: transactions chain, and every restart resumed where Kafka had committed.
    const events = txEvents(runtime.logs);
    const { problems, inFlight } = checkTransactions(events);
    expect(problems).toEqual([]);
    expect(events.filter((e) => e.kind === 'recovered').length).toBeGreaterThanOrEqual(KILLS + 1);
    // The kills hit open transactions (all three did in every run here): the case the recovery is for.
    expect(inFlight.length).toBeGreaterThan(0);
    // Only records of a transaction in flight at a kill may show twice (the mock shows aborted records).
    expect(unexplainedDuplicates(out, inFlight)).toEqual([]);
    // The egress is shipped to its end, and the store's cursor agrees with Kafka.
    const egress = await egressCaughtUp(api);
    expect(egress).toMatchObject({ state: 'shipping', shipped: total, head: total });
  }, 300_000);
});
