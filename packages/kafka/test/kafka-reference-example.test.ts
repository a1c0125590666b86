/**
 * The complete module.yaml example of StateFun's reference (its HTTP endpoint and its two Kafka documents), verbatim
 * but for the two addresses this machine has (the function service's URL and the mock brokers), loads and runs:
 * names produced LZ4-compressed to topic `names` reach both targets (`com.example/greeter` and `com.example/audit`,
 * official SDK functions), and each greeting leaves exactly once, through the exactly-once egress with the example's
 * `compression.type: lz4`, to topic `greetings`.
 */
import { StateFun, kafkaEgressMessage, type Context, type Message } from 'apache-flink-statefun';
import { CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  serveHttp,
  STATEFUN_REFERENCE_ASYNC_ENDPOINT,
  STATEFUN_REFERENCE_KAFKA_DOCUMENTS,
  waitFor,
  type FunctionService,
} from '@statehouse/testkit';
import { registerCompressionCodecs } from '../src/compression.js';
import { startKafkaRig, type KafkaRig, type OutRecord } from './kafka-rig.js';

const NAMES = 500;

/** The reference example's first endpoint document and its Kafka documents; the test replaces the two addresses. */
const REFERENCE_MODULE = `${STATEFUN_REFERENCE_ASYNC_ENDPOINT}\n${STATEFUN_REFERENCE_KAFKA_DOCUMENTS}`;

/** `com.example/greeter` greets each name to topic `greetings`; `com.example/audit` counts the names per id. */
function serveReferenceFunctions(): Promise<FunctionService> {
  const statefun = new StateFun();
  statefun.bind({
    typename: 'com.example/greeter',
    fn(context: Context, message: Message) {
      context.send(
        kafkaEgressMessage({
          typename: 'com.example/greets',
          topic: 'greetings',
          key: context.self.id,
          value: `Hello, ${message.rawValueBytes.toString()}!`,
        }),
      );
    },
  });
  statefun.bind({
    typename: 'com.example/audit',
    specs: [{ name: 'seen', type: StateFun.intType() }],
    fn(context: Context) {
      const storage = context.storage as { seen: number | null };
      storage.seen = (storage.seen ?? 0) + 1;
    },
  });
  const handler = statefun.handler();
  return serveHttp((req, res) => void handler(req, res));
}

describe("StateFun reference's module.yaml example (mock cluster, official SDK, LZ4 in and out)", () => {
  let rig: KafkaRig;
  let greetings: OutRecord[] = [];

  beforeAll(async () => {
    // This process's kafkajs (the test's producer and reader) needs the LZ4 codec too.
    registerCompressionCodecs();
    rig = await startKafkaRig({
      topics: [
        { name: 'names', partitions: 3 },
        { name: 'greetings', partitions: 3 },
        { name: 'statehouse.com.example.greets.positions', partitions: 1 },
      ],
      serve: serveReferenceFunctions,
      module: (url, brokers) =>
        REFERENCE_MODULE.replace('http://functions.svc:8000', url).replaceAll(
          'address: kafka:9092',
          `address: ${brokers.join(',')}`,
        ),
    });
    greetings = await rig.collect('greetings');
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('loads verbatim, reads LZ4 batches, reaches both targets and writes each greeting once with LZ4', async () => {
    await rig.producer.send({
      topic: 'names',
      compression: CompressionTypes.LZ4,
      messages: Array.from({ length: NAMES }, (_, i) => ({ key: `id-${i % 50}`, value: `name-${i}` })),
    });
    await rig.runtime.start();
    await waitFor(`${NAMES} greetings`, () => greetings.length >= NAMES, { timeoutMs: 60_000 });
    expect(new Set(greetings.map((g) => g.id)).size).toBe(NAMES);
    expect(greetings.length).toBe(NAMES);
    expect(greetings.map((g) => g.value).sort()).toEqual(
      Array.from({ length: NAMES }, (_, i) => `Hello, name-${i}!`).sort(),
    );
    const api = new ApiClient(rig.runtime.url);
    for (let id = 0; id < 50; id++) {
      const { body } = await api.state('com.example/audit', `id-${id}`);
      expect(body.values?.['seen']?.json).toBe(NAMES / 50);
    }
  }, 120_000);
});
