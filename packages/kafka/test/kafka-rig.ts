/**
 * What the Kafka tests run: librdkafka's mock cluster (3 brokers), a function service, a `statehouse run` child
 * process on a temp data directory, and a kafkajs client with a connected producer; `stop()` ends all of it.
 */
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import {
  RuntimeProcess,
  createTempDir,
  startMockKafka,
  type FunctionService,
  type MockKafka,
  type TempDir,
} from '@statehouse/testkit';

/** A record read from a topic. */
export interface OutRecord {
  readonly key: string;
  readonly value: string;
  /** The `statehouse-record-id` header. */
  readonly id: string;
}

/** A running rig. */
export interface KafkaRig {
  readonly kafka: MockKafka;
  readonly client: Kafka;
  readonly producer: Producer;
  readonly service: FunctionService;
  /** Not started: the test starts (and kills) it. */
  readonly runtime: RuntimeProcess;
  /** A consumer of the test's own, disconnected by `stop()`. */
  consumer(groupId: string): Promise<Consumer>;
  /**
   * Reads `topic` from the beginning into the returned array, as records arrive (until `stop()`): key, value and
   * the `statehouse-record-id` header of each.
   */
  collect(topic: string): Promise<OutRecord[]>;
  stop(): Promise<void>;
}

/**
 * Starts a rig.
 *
 * @param options.module - the module.yaml text for the service's URL and the brokers.
 */
export async function startKafkaRig(options: {
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
  readonly serve: () => Promise<FunctionService>;
  readonly module: (serviceUrl: string, brokers: readonly string[]) => string;
  /** More `statehouse run` flags, e.g. `['--log-level', 'debug']`. */
  readonly runtimeArgs?: readonly string[];
}): Promise<KafkaRig> {
  const kafka = await startMockKafka({ brokers: 3, topics: options.topics });
  const service = await options.serve();
  const dir: TempDir = await createTempDir();
  const runtime = new RuntimeProcess({
    dataDir: `${dir.path}/data`,
    moduleYaml: options.module(service.url, kafka.brokers),
    ...(options.runtimeArgs === undefined ? {} : { args: options.runtimeArgs }),
  });
  const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumers: Consumer[] = [];
  return {
    kafka,
    client,
    producer,
    service,
    runtime,
    consumer: async (groupId) => {
      const consumer = client.consumer({ groupId });
      consumers.push(consumer);
      await consumer.connect();
      return consumer;
    },
    collect: async (topic) => {
      const out: OutRecord[] = [];
      const consumer = client.consumer({ groupId: `test-reader-${topic}` });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          out.push({
            key: String(message.key),
            value: String(message.value),
            id: String(message.headers?.['statehouse-record-id']),
          });
          return Promise.resolve();
        },
      });
      return out;
    },
    stop: async () => {
      for (const c of consumers) await c.disconnect();
      await producer.disconnect();
      await runtime.stop();
      await service.close();
      await kafka.stop();
      await dir.cleanup();
    },
  };
}
