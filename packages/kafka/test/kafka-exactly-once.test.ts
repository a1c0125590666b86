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

const KEYS = 10;
const QUIET = 2_000;
const WITH_KILLS = 100_000;
const KILLS = 3;
const POSITIONS_TOPIC = 'statehouse.pipe.out.positions';

/** What the runtime logged about its transactions, in order. */
type TxEvent =
  | { readonly kind: 'recovered'; readonly position: number }
  | { readonly kind: 'begun' | 'committed'; readonly from: number; readonly next: number };

function txEvents(logs: readonly Record<string, unknown>[]): TxEvent[] {
  const events: TxEvent[] = [];
  for (const entry of logs) {
    if (entry['egress'] !== 'pipe/out') continue;
    if (entry['msg'] === 'kafka egress position recovered')
      events.push({ kind: 'recovered', position: Number(entry['position']) });
    else if (entry['msg'] === 'kafka egress transaction begun')
      events.push({ kind: 'begun', from: Number(entry['from']), next: Number(entry['next']) });
    else if (entry['msg'] === 'kafka egress transaction committed')
      events.push({ kind: 'committed', from: Number(entry['from']), next: Number(entry['next']) });
  }
  return events;
}

/** The transaction events of one life of the runtime, read incrementally from its growing log. */
class LifeEvents {
  readonly #logs: readonly Record<string, unknown>[];
  #read: number;
  #last: TxEvent | undefined;

  constructor(logs: readonly Record<string, unknown>[], from: number) {
    this.#logs = logs;
    this.#read = from;
  }

  last(): TxEvent | undefined {
    this.#catchUp();
    return this.#last;
  }

  #catchUp(): void {
    const events = txEvents(this.#logs.slice(this.#read));
    this.#read = this.#logs.length;
    if (events.length > 0) this.#last = events[events.length - 1];
  }
}

/**
 * Checks the transaction log of one process's life after life: returns what is wrong, and the offset ranges of
 * transactions that were in flight when a life ended (their records may show twice on the mock).
 */
function checkTransactions(events: readonly TxEvent[]): { problems: string[]; inFlight: [number, number][] } {
  const problems: string[] = [];
  const inFlight: [number, number][] = [];
  let committedUpTo: number | undefined;
  let open: { from: number; next: number } | undefined;
  let expectedFrom: number | undefined;
  for (const e of events) {
    if (e.kind === 'recovered') {
      // A new life (a restart, or a retry after a failure): Kafka's committed position.
      const allowed = new Set<number | undefined>([committedUpTo, open?.next]);
      if (committedUpTo !== undefined && !allowed.has(e.position))
        problems.push(
          `recovered ${e.position}, but Kafka had committed up to ${committedUpTo} (in flight: ${open?.next})`,
        );
      if (open !== undefined) inFlight.push([open.from, open.next]);
      open = undefined;
      expectedFrom = e.position;
      committedUpTo = e.position;
    } else if (e.kind === 'begun') {
      if (open !== undefined)
        problems.push(`transaction ${e.from}-${e.next} begun while ${open.from}-${open.next} was open`);
      if (expectedFrom !== undefined && e.from !== expectedFrom)
        problems.push(`transaction begun at ${e.from}, expected ${expectedFrom}`);
      open = { from: e.from, next: e.next };
    } else {
      if (open === undefined || open.from !== e.from)
        problems.push(`committed ${e.from}-${e.next} without begin`);
      open = undefined;
      committedUpTo = e.next;
      expectedFrom = e.next;
    }
  }
  return { problems, inFlight };
}

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
      const threshold = QUIET + Math.round((kill * WITH_KILLS) / (KILLS + 1));
      const life = new LifeEvents(runtime.logs, runtime.logs.length);
      await waitFor(
        `life ${kill}: a transaction open past offset ${threshold}`,
        () => {
          const last = life.last();
          return last?.kind === 'begun' && last.from >= threshold;
        },
        { timeoutMs: 90_000, intervalMs: 1 },
      );
      await runtime.kill();
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
    const seen = new Map<string, number>();
    for (const r of out) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => Number(id.split('/').pop()));
    const unexplained = twice.filter(
      (offset) => !inFlight.some(([from, next]) => offset >= from && offset < next),
    );
    expect(unexplained).toEqual([]);
    // The egress is shipped to its end, and the store's cursor agrees with Kafka.
    const egress = await egressCaughtUp(api);
    expect(egress).toMatchObject({ state: 'shipping', shipped: total, head: total });
  }, 300_000);
});
