/**
 * The Kinesis ingress against kinesalite and the official StateFun SDK's counter, in a `statehouse run` child
 * process: every record increments its partition key's counter exactly once, also when the runtime is killed
 * with SIGKILL while it reads, when a shard is split while records flow, and when Kinesis refuses reads for
 * throughput; records of a key are counted in the order they were put.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, metricValue, serveOfficialBank, type RuntimeProcess } from '@statehouse/testkit';
import { STREAM, expectCountedInOrder, increments, ledgerOf } from './increments.js';
import { incrementsModule, startKinesisRig, type KinesisRig } from './kinesis-rig.js';

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
    // Half the reads refused (the module sets MaxErrorRetry 0: each refusal reaches the reader, which backs off).
    rig.kinesis.throttle('GetRecords', 0.5);
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
