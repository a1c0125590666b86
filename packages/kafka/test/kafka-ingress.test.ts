/**
 * The Kafka ingress against a real Kafka-protocol broker (librdkafka's mock cluster, 3 brokers) and the official
 * StateFun SDK's counter, in a `statehouse run` child process: every record increments its key's counter exactly
 * once — also when the runtime is killed with SIGKILL while it consumes — and every increment is in the ledger
 * egress once. Bad records are skipped and counted, never a crash; the API shows positions and lag.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, metricValue, serveOfficialBank, waitFor, type RuntimeProcess } from '@statehouse/testkit';
import {
  PARTITIONS,
  TOPIC,
  expectCountedExactlyOnce,
  incrementsModule,
  ledgerOf,
  produceIncrements,
} from './increments.js';
import { startKafkaRig, type KafkaRig } from './kafka-rig.js';

describe('Kafka ingress (mock cluster, official SDK counter, statehouse run)', () => {
  let rig: KafkaRig;
  let runtime: RuntimeProcess;
  let producer: Producer;

  beforeAll(async () => {
    rig = await startKafkaRig({
      topics: [{ name: TOPIC, partitions: PARTITIONS }],
      serve: () => serveOfficialBank(),
      module: (url, brokers) => incrementsModule(url, brokers, TOPIC),
    });
    ({ runtime, producer } = rig);
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('counts every record exactly once across SIGKILLs while consuming', async () => {
    const total = 6_000;
    await produceIncrements(producer, 0, 4_000);
    await runtime.start();
    // Killed twice while it consumes (once part of the records is in the ledger); more arrive while it is down.
    for (const [killAt, more] of [
      [800, 2_000],
      [2_500, 0],
    ] as const) {
      await ledgerOf(new ApiClient(runtime.url), killAt);
      await runtime.kill();
      if (more > 0) await produceIncrements(producer, 4_000, more);
      await runtime.start();
    }

    const api = new ApiClient(runtime.url);
    await expectCountedExactlyOnce(api, total);
    expect(runtime.exits.every((e) => e.requested)).toBe(true);
    // The kills landed while it consumed: some records were consumed before each kill and not all.
    expect(runtime.exits.filter((e) => e.signal === 'SIGKILL')).toHaveLength(2);
  }, 180_000);

  it('skips records without a key or value, counts them, and shows positions and lag', async () => {
    await producer.send({
      topic: TOPIC,
      messages: [
        { key: null, value: JSON.stringify({ txId: 'no-key' }) },
        { key: 'counter-0', value: null },
        { key: 'counter-0', value: JSON.stringify({ txId: 'after-bad' }) },
      ],
    });
    const api = new ApiClient(runtime.url);
    const txIds = await ledgerOf(api, 6_001);
    expect(txIds).toContain('after-bad');
    expect(txIds).not.toContain('no-key');

    const metrics = await api.get<string>('/metrics');
    const text = String(metrics.body);
    const skipped = (reason: string) =>
      metricValue(text, 'statehouse_kafka_ingress_records_skipped_total', {
        ingress: 'bank/increments',
        topic: TOPIC,
        reason,
      });
    expect(skipped('null-key')).toBe(1);
    expect(skipped('null-value')).toBe(1);

    const status = await api.get<{ connectors: { id: string; state: string; parts: { lag?: number }[] }[] }>(
      '/v1/connectors',
    );
    expect(status.status).toBe(200);
    const [connector] = status.body.connectors;
    expect(connector?.id).toBe('bank/increments');
    expect(connector?.state).toBe('running');
    expect(connector?.parts).toHaveLength(PARTITIONS);
    await waitFor('every partition read to its end', async () => {
      const again = await api.get<{ connectors: { parts: { lag?: number }[] }[] }>('/v1/connectors');
      if (again.body.connectors[0]!.parts.every((p) => p.lag === 0)) return true;
      throw new Error(JSON.stringify(again.body));
    });
  }, 120_000);
});
