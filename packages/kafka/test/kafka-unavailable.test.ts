/**
 * Kafka not there yet: every broker is down when the runtime starts. The runtime starts and is ready anyway, the
 * connector shows `retrying` with the reason in `GET /v1/connectors`, it stops on SIGTERM meanwhile, and once the
 * brokers are back every record is counted exactly once. (A topic that does not exist cannot be shown on librdkafka's mock: it
 * creates any topic a client asks the metadata of.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, waitFor } from '@statehouse/testkit';
import { startKafkaRig, type KafkaRig } from './kafka-rig.js';
import { pipelineModule, servePipelineFunctions, statefunString } from './pipeline.js';

const KEYS = 10;
const RECORDS = 300;

interface IngressStatus {
  readonly direction: string;
  readonly state: string;
  readonly lastError?: string;
}

async function ingressStatus(api: ApiClient): Promise<IngressStatus | undefined> {
  const { body } = await api.get<{ connectors: IngressStatus[] }>('/v1/connectors');
  return body.connectors.find((c) => c.direction === 'ingress');
}

async function produce(rig: KafkaRig): Promise<void> {
  const messages = Array.from({ length: RECORDS }, (_, i) => ({
    key: `k${i % KEYS}`,
    value: statefunString(`v${i}`),
  }));
  await rig.producer.send({ topic: 'in', messages });
}

/** Waits until every key counted exactly its records, and checks no key counted more. */
async function expectCountedOnce(api: ApiClient): Promise<void> {
  await waitFor(
    'every record counted',
    async () => {
      for (let k = 0; k < KEYS; k++) {
        const state = await api.state('pipe/counter', `k${k}`);
        if (state.body.values?.['count']?.json !== RECORDS / KEYS) return false;
      }
      return true;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
}

describe('Kafka ingress when Kafka is not there yet (mock cluster, statehouse run)', () => {
  let rig: KafkaRig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('starts while every broker is down, says so, and counts every record once when they are back', async () => {
    rig = await startKafkaRig({
      topics: [
        { name: 'in', partitions: 3 },
        { name: 'out', partitions: 3 },
      ],
      serve: servePipelineFunctions,
      module: (url, brokers) => pipelineModule(url, brokers, 'at-least-once'),
    });
    await produce(rig);
    for (const id of [1, 2, 3]) await rig.kafka.brokerDown(id);
    await rig.runtime.start();
    const api = new ApiClient(rig.runtime.url);
    const down = await waitFor(
      'the ingress retrying',
      async () => {
        const status = await ingressStatus(api);
        return status?.state === 'retrying' ? status : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(down.lastError).toBeDefined();
    expect((await api.get('/readyz')).status).toBe(200);

    // It stops on SIGTERM although the brokers do not answer (kafkajs keeps reconnecting; the process exits).
    const stopping = Date.now();
    expect(await rig.runtime.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
    await rig.runtime.start();

    for (const id of [1, 2, 3]) await rig.kafka.brokerUp(id);
    await expectCountedOnce(new ApiClient(rig.runtime.url));
    expect(rig.runtime.isRunning).toBe(true);

    // Brokers gone while it runs, with records waiting to be shipped: it still stops on SIGTERM.
    for (const id of [1, 2, 3]) await rig.kafka.brokerDown(id);
    const live = new ApiClient(rig.runtime.url);
    for (let i = 0; i < 50; i++) {
      const sent = await live.ingress('pipe/counter', `h${i % 5}`, {
        typename: 'io.statefun.types/string',
        bytes: statefunString(`h${i}`),
      });
      expect(sent.status).toBe(202);
    }
    await sleep(1_000);
    const stoppingAgain = Date.now();
    expect(await rig.runtime.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stoppingAgain).toBeLessThan(15_000);
  }, 150_000);
});
