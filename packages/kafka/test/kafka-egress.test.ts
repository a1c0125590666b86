/**
 * Kafka in and out: records of topic `in` go to an official-SDK function that counts per key and sends a
 * `kafkaEgressMessage` to topic `out` for each; the runtime (a `statehouse run` child process) is killed with
 * SIGKILL while it works. Every input's effect is in state exactly once; every output reaches Kafka at least once,
 * in per-key order, and its `statehouse-record-id` header makes it exactly once for a consumer that deduplicates.
 * A function that sends a record of the wrong type to the Kafka egress stalls, visibly, and sends nothing.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const TOTAL = 3_000;

describe('Kafka egress (mock cluster, official SDK, statehouse run)', () => {
  let rig: KafkaRig;
  let runtime: RuntimeProcess;
  let producer: Producer;
  let out: OutRecord[] = [];

  beforeAll(async () => {
    rig = await startKafkaRig({
      topics: [
        { name: 'in', partitions: 3 },
        { name: 'out', partitions: 3 },
      ],
      serve: servePipelineFunctions,
      module: (url, brokers) => pipelineModule(url, brokers, 'at-least-once'),
    });
    ({ runtime, producer } = rig);
    out = await rig.collect('out');
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('produces every output at least once, in per-key order, with stable ids; state exactly once', async () => {
    for (let start = 0; start < TOTAL; start += 500) {
      const messages = [];
      for (let i = start; i < start + 500; i++)
        messages.push({ key: `k${i % KEYS}`, value: statefunString(`v${i}`) });
      await producer.send({ topic: 'in', messages });
    }
    await runtime.start();
    await waitFor('some output', () => out.length > 300, { timeoutMs: 60_000 });
    await runtime.kill();
    await runtime.start();

    const distinct = () => new Set(out.map((r) => r.id)).size;
    await waitFor(`${TOTAL} distinct outputs`, () => distinct() >= TOTAL, {
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    expect(distinct()).toBe(TOTAL);
    const api = new ApiClient(runtime.url);
    await expectCountedInOrder(api, out, TOTAL, KEYS);
    // The egress shows as shipped to its end, in the API and in the metrics.
    const egress = await egressCaughtUp(api);
    expect(egress).toMatchObject({
      kind: 'io.statefun.kafka.v1/egress',
      state: 'shipping',
      shipped: TOTAL,
      head: TOTAL,
    });
    const metrics = await api.get<string>('/metrics');
    expect(String(metrics.body)).toMatch(/statehouse_egress_lag_records\{egress="pipe\/out"\} 0/);
  }, 180_000);

  it('stalls a function that sends another type of record to the Kafka egress, and sends nothing of it', async () => {
    if (!runtime.isRunning) await runtime.start();
    const api = new ApiClient(runtime.url);
    const before = out.length;
    const sent = await api.ingress('pipe/bad', 'b1', { typename: 'io.statefun.types/string', bytes: 'x' });
    expect(sent.status).toBe(202);
    await waitFor(
      'the bad address stalls',
      async () => {
        const stalled = await api.get<{ stalled: { id: string; lastError: { code: string } }[] }>(
          '/v1/stalled',
        );
        if (
          stalled.body.stalled.some(
            (s) => s.id === 'b1' && s.lastError.code === 'ERR_REPLY_INVALID_EGRESS_RECORD',
          )
        )
          return true;
        throw new Error(JSON.stringify(stalled.body));
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(out.length).toBe(before);
  }, 120_000);
});
