/**
 * The Kinesis egress against kinesalite, with a function of our SDK between a Kinesis ingress and a Kinesis
 * egress, in a `statehouse run` child process: every input reaches the output stream (at least once: repeats only
 * after a SIGKILL, each repeat with the stable id of the first in its record-id envelope), in order per partition
 * key, also when Kinesis refuses part of the records of PutRecords requests for throughput.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFunction, jsonType, kinesisEgressRecord, serve } from '@statehouse/sdk';
import {
  ApiClient,
  metricValue,
  moduleYaml,
  waitFor,
  type KinesisOutRecord,
  type RuntimeProcess,
} from '@statehouse/testkit';
import { kinesaliteAccess, startKinesisRig, type KinesisRig } from './kinesis-rig.js';

const KEYS = 200;
const Order = jsonType<{ key: string; n: number }>('relay/Order');

/** Sends each order on to the `results` stream, partition key = the order's key. */
const relay = defineFunction({
  type: 'relay/orders',
  handle(ctx, message) {
    const order = message.as(Order);
    ctx.egress(
      'relay/results',
      kinesisEgressRecord({ stream: 'results', partitionKey: order.key, value: JSON.stringify(order) }),
    );
  },
});

function relayModule(serviceUrl: string, kinesis: KinesisRig['kinesis']): string {
  const base = moduleYaml({
    endpoints: [{ functions: 'relay/*', urlPathTemplate: `${serviceUrl}statefun` }],
  });
  const ingress = [
    'kind: io.statefun.kinesis.v1/ingress',
    'spec:',
    '  id: relay/orders-in',
    ...kinesaliteAccess(kinesis),
    '  startupPosition:',
    '    type: earliest',
    '  streams:',
    '    - stream: orders',
    '      valueType: relay/Order',
    '      targets:',
    '        - relay/orders',
    '  clientConfigProperties:',
    '    - flink.shard.getrecords.intervalmillis: 50',
  ].join('\n');
  const egress = [
    'kind: io.statefun.kinesis.v1/egress',
    'spec:',
    '  id: relay/results',
    ...kinesaliteAccess(kinesis),
    '  maxOutstandingRecords: 500',
    // Each record in {"id": "relay/results/<offset>", "data": "<base64>"}: repeats carry the id of the first.
    '  recordIdEnvelope: true',
  ].join('\n');
  return `${base.trimEnd()}\n---\n${ingress}\n---\n${egress}\n`;
}

/** Orders `n` from `first`, spread over the keys; the ingress routes each to `relay/orders` at its key. */
function orders(first: number, count: number): { key: string; data: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const key = `key-${n % KEYS}`;
    return { key, data: JSON.stringify({ key, n }) };
  });
}

/** Waits until `results` holds every order up to `total`; checks order per key and that nothing is missing. */
async function expectDelivered(
  rig: KinesisRig,
  total: number,
  allowRepeats: boolean,
): Promise<KinesisOutRecord[]> {
  let out: KinesisOutRecord[] = [];
  await waitFor(
    `${total} orders in the results stream`,
    async () => {
      out = await rig.kinesis.readAll('results');
      return new Set(out.map((r) => (JSON.parse(r.data.toString()) as { id: string }).id)).size >= total;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  const idOf = new Map<number, string>();
  const lastOf = new Map<string, number>();
  for (const r of out) {
    const envelope = JSON.parse(r.data.toString()) as { id: string; data: string };
    const order = JSON.parse(Buffer.from(envelope.data, 'base64').toString()) as { key: string; n: number };
    expect(r.partitionKey).toBe(order.key);
    expect(envelope.id).toMatch(/^relay\/results\/\d+$/);
    const firstId = idOf.get(order.n);
    if (firstId !== undefined) {
      expect(allowRepeats, `order ${order.n} is in the stream twice`).toBe(true);
      expect(envelope.id, `the repeat of order ${order.n} carries the id of the first`).toBe(firstId);
      continue;
    }
    // A first occurrence never comes before an earlier order of its key (a repeat may, after a SIGKILL).
    expect(order.n, `order ${order.n} of ${order.key} after ${lastOf.get(order.key)}`).toBeGreaterThan(
      lastOf.get(order.key) ?? -1,
    );
    lastOf.set(order.key, order.n);
    idOf.set(order.n, envelope.id);
  }
  expect(idOf.size).toBe(total);
  expect(new Set(idOf.values()).size).toBe(total);
  return out;
}

describe('Kinesis egress (kinesalite, our SDK, statehouse run)', () => {
  let rig: KinesisRig;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    rig = await startKinesisRig({
      streams: [
        { name: 'orders', shards: 2 },
        { name: 'results', shards: 2 },
      ],
      serve: async () => {
        const server = await serve([relay], { port: 0 });
        return { url: server.url, port: server.port, close: () => server.close() };
      },
      module: relayModule,
    });
    runtime = rig.runtime;
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('puts every record to its stream, in order per partition key', async () => {
    await rig.kinesis.put('orders', orders(0, 3_000));
    await runtime.start();
    await expectDelivered(rig, 3_000, false);
  }, 120_000);

  it('puts again what Kinesis refused, keeping the order of each key', async () => {
    // The orders go in first (the test's own put is throttled too, and putting refused records again would
    // reorder the input); the runtime ships them while Kinesis refuses part of every request.
    await rig.kinesis.put('orders', orders(3_000, 3_000));
    rig.kinesis.throttle('PutRecords', 0.3);
    await expectDelivered(rig, 6_000, false);
    rig.kinesis.throttle('PutRecords', 0);
    expect(rig.kinesis.refused).toBeGreaterThan(0);
    const metrics = String((await new ApiClient(runtime.url).get<string>('/metrics')).body);
    expect(
      metricValue(metrics, 'statehouse_kinesis_egress_records_retried_total', {
        egress: 'relay/results',
        code: 'ProvisionedThroughputExceededException',
      }),
    ).toBeGreaterThan(0);
  }, 120_000);

  it('delivers everything, at least once, across SIGKILLs while shipping', async () => {
    await rig.kinesis.put('orders', orders(6_000, 4_000));
    for (const shippedAt of [7_000, 8_500]) {
      await waitFor(
        `${shippedAt} orders shipped`,
        async () => (await rig.kinesis.readAll('results')).length >= shippedAt,
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      await runtime.kill();
      await runtime.start();
    }
    await expectDelivered(rig, 10_000, true);
  }, 180_000);
});
