/**
 * The Kinesis ingress against kinesalite and the official StateFun SDK's counter, in a `statehouse run` child
 * process: every record increments its partition key's counter exactly once, also when the runtime is killed
 * with SIGKILL while it reads, when a shard is split while records flow, and when Kinesis refuses reads for
 * throughput; records of a key are counted in the order they were put.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  metricValue,
  serveOfficialBank,
  waitFor,
  type LedgerEntry,
  type RuntimeProcess,
} from '@statehouse/testkit';
import { incrementsModule, startKinesisRig, type KinesisRig } from './kinesis-rig.js';

const STREAM = 'increments';
const KEYS = 20;

/** Increments `tx-<first + i>` for key `counter-<n mod KEYS>`. */
function increments(first: number, count: number): { key: string; data: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `counter-${(first + i) % KEYS}`,
    data: JSON.stringify({ txId: `tx-${first + i}` }),
  }));
}

/** Waits until the ledger holds `expected` entries; returns them in ledger order. */
async function ledgerOf(api: ApiClient, expected: number): Promise<LedgerEntry[]> {
  let entries: LedgerEntry[] = [];
  await waitFor(
    `${expected} ledger records`,
    async () => {
      entries = (await api.allEgress(BANK_TYPES.ledger)).map((r) => r.json as LedgerEntry);
      return entries.length >= expected;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return entries;
}

/** Every increment once, each counter its share, each counter's increments in the order they were put. */
async function expectCountedInOrder(api: ApiClient, total: number): Promise<void> {
  const entries = await ledgerOf(api, total);
  const txIds = entries.map((e) => e.txId);
  expect(txIds.length).toBe(total);
  expect(new Set(txIds).size).toBe(total);
  const lastOf = new Map<string, number>();
  for (const e of entries) {
    const n = Number(e.txId.slice('tx-'.length));
    expect(n % KEYS, `${e.txId} reached ${e.account}`).toBe(Number(e.account.slice('counter-'.length)));
    expect(n, `${e.txId} after tx-${lastOf.get(e.account)} at ${e.account}`).toBeGreaterThan(
      lastOf.get(e.account) ?? -1,
    );
    lastOf.set(e.account, n);
  }
  for (let k = 0; k < KEYS; k++) {
    const state = await api.state('bank/counter', `counter-${k}`);
    expect(state.body.values?.['count']?.json).toBe(total / KEYS);
  }
}

describe('Kinesis ingress (kinesalite, official SDK counter, statehouse run)', () => {
  let rig: KinesisRig;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    rig = await startKinesisRig({
      streams: [{ name: STREAM, shards: 2 }],
      serve: () => serveOfficialBank(),
      module: (url, kinesis) => incrementsModule(url, kinesis, STREAM),
    });
    runtime = rig.runtime;
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('counts every record exactly once, in order per key, across SIGKILLs while reading', async () => {
    await rig.kinesis.put(STREAM, increments(0, 4_000));
    await runtime.start();
    for (const [killAt, first, more] of [
      [800, 4_000, 2_000],
      [2_500, 6_000, 0],
    ] as const) {
      await ledgerOf(new ApiClient(runtime.url), killAt);
      await runtime.kill();
      if (more > 0) await rig.kinesis.put(STREAM, increments(first, more));
      await runtime.start();
    }
    await expectCountedInOrder(new ApiClient(runtime.url), 6_000);
    expect(runtime.exits.filter((e) => e.signal === 'SIGKILL')).toHaveLength(2);
  }, 180_000);

  it('reads a split shard to its end before its children, losing nothing', async () => {
    const [first] = await rig.kinesis.listShards(STREAM);
    const put = rig.kinesis.put(STREAM, increments(6_000, 2_000));
    await rig.kinesis.splitShard(STREAM, first!.ShardId!);
    await put;
    await rig.kinesis.put(STREAM, increments(8_000, 2_000));
    const api = new ApiClient(runtime.url);
    await expectCountedInOrder(api, 10_000);
    const shards = await rig.kinesis.listShards(STREAM);
    expect(shards.length).toBe(4);
    const connectors = await api.get<{ connectors: { parts: { part: string; position: string }[] }[] }>(
      '/v1/connectors',
    );
    // The split shard was read to its end; its children are read now.
    const parts = connectors.body.connectors[0]!.parts;
    expect(parts.map((p) => p.part)).not.toContain(first!.ShardId);
    expect(parts.length).toBe(3);
  }, 120_000);

  it('backs off when Kinesis refuses reads for throughput, and loses nothing', async () => {
    // Most reads refused: the AWS SDK retries a refusal twice itself, the reader backs off beyond that.
    rig.kinesis.throttle('GetRecords', 0.75);
    await rig.kinesis.put(STREAM, increments(10_000, 2_000));
    const api = new ApiClient(runtime.url);
    await expectCountedInOrder(api, 12_000);
    rig.kinesis.throttle('GetRecords', 0);
    expect(rig.kinesis.refused).toBeGreaterThan(0);
    const metrics = String((await api.get<string>('/metrics')).body);
    expect(
      metricValue(metrics, 'statehouse_kinesis_ingress_throttled_total', {
        ingress: 'bank/increments',
        stream: STREAM,
      }),
    ).toBeGreaterThan(0);
    // Counted since this process started (the first test restarted it): at least this test's records.
    expect(
      metricValue(metrics, 'statehouse_kinesis_ingress_records_total', {
        ingress: 'bank/increments',
        stream: STREAM,
      }),
    ).toBeGreaterThanOrEqual(2_000);
  }, 120_000);
});
