/**
 * The Kafka ingress against a real Kafka-protocol broker (librdkafka's mock cluster, 3 brokers) and the official
 * StateFun SDK's counter, in a `statehouse run` child process: every record increments its key's counter exactly
 * once — also when the runtime is killed with SIGKILL while it consumes — and every increment is in the ledger
 * egress once. Bad records are skipped and counted, never a crash; the API shows positions and lag.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  metricValue,
  moduleYaml,
  serveOfficialBank,
  waitFor,
  type RuntimeProcess,
} from '@statehouse/testkit';
import { startKafkaRig, type KafkaRig } from './kafka-rig.js';

const TOPIC = 'increments';
const PARTITIONS = 4;
const KEYS = 20;

function kafkaModule(serviceUrl: string, brokers: readonly string[], topic: string): string {
  const ingress = [
    'kind: io.statefun.kafka.v1/ingress',
    'spec:',
    '  id: bank/increments',
    `  address: ${brokers.join(',')}`,
    '  consumerGroupId: statehouse-test',
    '  startupPosition:',
    '    type: earliest',
    '  topics:',
    `    - topic: ${topic}`,
    `      valueType: ${BANK_TYPES.increment}`,
    '      targets:',
    '        - bank/counter',
    '  properties:',
    // A SIGKILLed runtime holds its partitions until its session times out: keep the test's restarts short.
    '    - session.timeout.ms: 6000',
    '    - heartbeat.interval.ms: 1000',
  ].join('\n');
  const base = moduleYaml({
    endpoints: [{ functions: 'bank/*', urlPathTemplate: `${serviceUrl}/statefun` }],
    logEgresses: [BANK_TYPES.ledger],
  });
  return `${base.trimEnd()}\n---\n${ingress}\n`;
}

/** Produces `count` increments (`tx-<first + i>`) spread over the keys, in batches. */
async function produceIncrements(producer: Producer, first: number, count: number): Promise<void> {
  for (let start = first; start < first + count; start += 500) {
    const end = Math.min(first + count, start + 500);
    const messages = [];
    for (let i = start; i < end; i++)
      messages.push({ key: `counter-${i % KEYS}`, value: JSON.stringify({ txId: `tx-${i}` }) });
    await producer.send({ topic: TOPIC, messages });
  }
}

/** Waits until the ledger holds `expected` increments; returns them. */
async function ledgerOf(api: ApiClient, expected: number): Promise<string[]> {
  let txIds: string[] = [];
  await waitFor(
    `${expected} ledger records`,
    async () => {
      const records = await api.allEgress(BANK_TYPES.ledger);
      txIds = records.map((r) => (r.json as { txId: string }).txId);
      return txIds.length >= expected;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return txIds;
}

describe('Kafka ingress (mock cluster, official SDK counter, statehouse run)', () => {
  let rig: KafkaRig;
  let runtime: RuntimeProcess;
  let producer: Producer;

  beforeAll(async () => {
    rig = await startKafkaRig({
      topics: [{ name: TOPIC, partitions: PARTITIONS }],
      serve: () => serveOfficialBank(),
      module: (url, brokers) => kafkaModule(url, brokers, TOPIC),
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
    const txIds = await ledgerOf(api, total);
    expect(txIds.length).toBe(total);
    expect(new Set(txIds).size).toBe(total);
    for (let k = 0; k < KEYS; k++) {
      const state = await api.state('bank/counter', `counter-${k}`);
      expect(state.body.values?.['count']?.json).toBe(total / KEYS);
    }
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
