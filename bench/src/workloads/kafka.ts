/**
 * kafka: Kafka → counter function → Kafka, no HTTP ingress. A librdkafka mock broker (1 broker; `bench-in` and
 * `bench-out` with {@link PARTITIONS} partitions each) feeds an `io.statefun.kafka.v1/ingress` to the counter
 * (1,000 keys, the record key is the counter's id), whose records go to an `io.statefun.kafka.v1/egress`
 * (at-least-once, or exactly-once through Kafka transactions). The bench produces {@link Increment}s as fast as the pipeline takes them, keeping at most
 * {@link MAX_OUTSTANDING} records produced but not yet read back from `bench-out` (so latency measures the
 * pipeline, not a queue the producer built), and a consumer of its own reads `bench-out`. End-to-end = produce
 * call → the output record read by that consumer.
 */
import { randomUUID } from 'node:crypto';

import { seededRandom, startMockKafka, type MockKafka } from '@statehouse/testkit';
import { Kafka, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';

import type { LatencySummary } from '../histogram.js';
import { now, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import {
  KAFKA_COUNTER_TYPE,
  KAFKA_EGRESS,
  KAFKA_IN_TOPIC,
  KAFKA_OUT_TOPIC,
  INCREMENT_TYPENAME,
  type CounterEvent,
  type Increment,
} from '../names.js';
import { cpuTicks, clockTicksPerSecond, type ServiceHandle } from '../processes.js';
import type { Profile } from '../profile.js';
import {
  activityBetween,
  scrapeMetrics,
  type MetricsSnapshot,
  type RuntimeActivity,
} from './runtime-metrics.js';
import { benchModule, sampleRss, toMB, withRuntime } from './session.js';
import { COUNTER_KEYS } from './counter.js';

/** Partitions of each topic. */
export const PARTITIONS = 8;
/** Records produced but not yet read back, at most. */
export const MAX_OUTSTANDING = 8_000;
/** `fetch.max.wait.ms` of the runtime's consumer and of the bench's reader (see {@link kafkaModule}). */
const FETCH_WAIT_MS = 20;
/** Records per produce request. */
export const PRODUCE_BATCH = 1_000;
/** Produce requests in flight. */
export const PRODUCERS = 4;

/** What one Kafka run measured. */
export interface KafkaResult {
  readonly semantic: KafkaSemantic;
  /** Length of the measurement window, s. */
  readonly windowSeconds: number;
  /** Output records read back per second inside the window. */
  readonly e2ePerSecond: number;
  /** Records produced (acknowledged by the broker) per second inside the window. */
  readonly producedPerSecond: number;
  readonly e2e: LatencySummary;
  /** Window records never read back within the drain wait (their latency counts as a lower bound). */
  readonly undrained: number;
  readonly duplicates: number;
  readonly runtimeCpuUsPerMessage: number;
  readonly serviceCpuUsPerMessage: number;
  readonly brokerCpuUsPerMessage: number;
  /** The bench's own producer and reader (kafkajs). */
  readonly loadGeneratorCpuUsPerMessage: number;
  readonly runtimeRssMaxMB: number;
  /** Batches, commits and commit sizes inside the window. */
  readonly activity: RuntimeActivity;
}

/** How the egress delivers. */
export type KafkaSemantic = 'at-least-once' | 'exactly-once';

/** The positions topic of the exactly-once egress (`<transactional id>.positions`; the mock cannot create it). */
const POSITIONS_TOPIC = `statehouse.${KAFKA_EGRESS.replace(/\//g, '.')}.positions`;

/** The module: the bench's endpoints plus the Kafka ingress and egress on `brokers`. */
function kafkaModule(serviceUrl: string, brokers: readonly string[], semantic: KafkaSemantic): string {
  const address = brokers.join(',');
  const kafka = [
    'kind: io.statefun.kafka.v1/ingress',
    'spec:',
    '  id: bench/kafka-in',
    `  address: ${address}`,
    '  consumerGroupId: statehouse-bench',
    '  startupPosition:',
    '    type: earliest',
    '  topics:',
    `    - topic: ${KAFKA_IN_TOPIC}`,
    `      valueType: ${INCREMENT_TYPENAME}`,
    `      targets: [${KAFKA_COUNTER_TYPE}]`,
    // The mock answers a fetch only when its wait is over, even when records arrived meanwhile (a broker answers
    // at once): a short wait keeps that out of the latency.
    '  properties:',
    `    - fetch.max.wait.ms: ${FETCH_WAIT_MS}`,
    '---',
    'kind: io.statefun.kafka.v1/egress',
    'spec:',
    `  id: ${KAFKA_EGRESS}`,
    `  address: ${address}`,
    '  deliverySemantic:',
    `    type: ${semantic}`,
    ...(semantic === 'exactly-once' ? ['    transactionTimeout: 1min'] : []),
  ].join('\n');
  return `${benchModule(serviceUrl).trimEnd()}\n---\n${kafka}\n`;
}

/** Reads `bench-out` from the beginning into the tracker. */
async function startReader(client: Kafka, tracker: MessageTracker): Promise<Consumer> {
  const consumer = client.consumer({
    groupId: `bench-reader-${randomUUID()}`,
    maxWaitTimeInMs: FETCH_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [KAFKA_OUT_TOPIC], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      const at = now();
      for (const m of batch.messages) {
        if (m.value === null) continue;
        const event = JSON.parse(m.value.toString('utf8')) as CounterEvent;
        tracker.observe(event.seq, event.sentAt, at);
      }
      await Promise.resolve();
    },
  });
  return consumer;
}

/**
 * The measurement window's CPU counters (child processes and this one) and metrics snapshots, read once each at
 * {@link MeasuredWindow.open} and {@link MeasuredWindow.close}.
 */
class MeasuredWindow {
  metricsAtStart: Promise<MetricsSnapshot | undefined> | undefined;
  metricsAtEnd: Promise<MetricsSnapshot | undefined> | undefined;
  #cpuStart: number[] = [];
  #cpuEnd: number[] = [];
  #ownStart: NodeJS.CpuUsage | undefined;
  #own: NodeJS.CpuUsage | undefined;
  readonly #pids: readonly number[];
  readonly #scrape: () => Promise<MetricsSnapshot | undefined>;

  constructor(pids: readonly number[], scrape: () => Promise<MetricsSnapshot | undefined>) {
    this.#pids = pids;
    this.#scrape = scrape;
  }

  open(): void {
    this.#cpuStart = this.#pids.map(cpuTicks);
    this.#ownStart = process.cpuUsage();
    this.metricsAtStart = this.#scrape();
  }

  /** Closes the window (once; later calls do nothing). */
  close(): void {
    if (this.#own !== undefined) return;
    this.#cpuEnd = this.#pids.map(cpuTicks);
    this.#own = process.cpuUsage(this.#ownStart);
    this.metricsAtEnd = this.#scrape();
  }

  /** CPU seconds of the process at `index` of the pids. */
  cpuSeconds(index: number): number {
    return (
      ((this.#cpuEnd[index] ?? Number.NaN) - (this.#cpuStart[index] ?? Number.NaN)) / clockTicksPerSecond()
    );
  }

  /** CPU time of this process (the load generator) inside the window, µs. */
  ownCpuMicros(): number {
    return this.#own === undefined ? Number.NaN : this.#own.user + this.#own.system;
  }
}

/**
 * Produces batches until `until`, each only while fewer than {@link MAX_OUTSTANDING} records are outstanding.
 *
 * @returns the first produce error, if any.
 */
async function produce(
  producer: Producer,
  tracker: MessageTracker,
  until: number,
  random: () => number,
): Promise<string | undefined> {
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (now() < until) {
      if (tracker.outstanding + PRODUCE_BATCH > MAX_OUTSTANDING) {
        await sleep(1);
        continue;
      }
      const messages: Message[] = [];
      const seqs: number[] = [];
      for (let i = 0; i < PRODUCE_BATCH; i++) {
        const sentAt = now();
        const seq = tracker.register(sentAt);
        const increment: Increment = { seq, sentAt };
        seqs.push(seq);
        messages.push({
          key: `k${Math.floor(random() * COUNTER_KEYS)}`,
          value: JSON.stringify(increment),
        });
      }
      try {
        await producer.send({ topic: KAFKA_IN_TOPIC, messages });
        for (const seq of seqs) tracker.acknowledge(seq, true);
      } catch (err) {
        for (const seq of seqs) tracker.acknowledge(seq, false);
        firstError ??= err instanceof Error ? err.message : String(err);
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, worker));
  return firstError;
}

/**
 * Runs the Kafka workload on a fresh runtime and a fresh mock broker.
 *
 * @param service - the running function service.
 * @param profile - durations.
 * @param semantic - the egress's `deliverySemantic`.
 * @returns the measurements.
 */
export async function runKafka(
  service: ServiceHandle,
  profile: Profile,
  semantic: KafkaSemantic,
): Promise<KafkaResult> {
  const broker: MockKafka = await startMockKafka({
    brokers: 1,
    topics: [
      { name: KAFKA_IN_TOPIC, partitions: PARTITIONS },
      { name: KAFKA_OUT_TOPIC, partitions: PARTITIONS },
      { name: POSITIONS_TOPIC, partitions: 1 },
    ],
  });
  try {
    return await withRuntime(
      service,
      async (runtime) => {
        const tracker = new MessageTracker();
        const client = new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING });
        const producer = client.producer();
        await producer.connect();
        const reader = await startReader(client, tracker);
        const pids = [runtime.pid, service.pid, broker.pid];
        const rss = sampleRss(runtime);
        try {
          const random = seededRandom(7);
          const start = now();
          tracker.window.start = start + profile.warmupMs;
          tracker.window.end = tracker.window.start + profile.durationMs;
          // A failed scrape only loses these diagnostics; never an unhandled rejection.
          const scrape = (): Promise<MetricsSnapshot | undefined> =>
            scrapeMetrics(runtime.url, KAFKA_COUNTER_TYPE).catch(() => undefined);
          const window = new MeasuredWindow(pids, scrape);
          const opened = setTimeout(() => window.open(), profile.warmupMs);
          const closed = setTimeout(() => window.close(), profile.warmupMs + profile.durationMs);
          const error = await produce(producer, tracker, tracker.window.end, random);
          clearTimeout(opened);
          clearTimeout(closed);
          window.close();
          const drainDeadline = now() + profile.drainMs;
          while (!tracker.isWindowDrained && now() < drainDeadline) await sleep(20);
          if (tracker.acceptedOfWindow === 0) throw new Error(`nothing was produced: ${error ?? 'no error'}`);
          const undrained = tracker.closeUnseen(now());
          const windowSeconds = profile.durationMs / 1000;
          const perMessage = (i: number): number => (window.cpuSeconds(i) / tracker.egressedInWindow) * 1e6;
          return {
            semantic,
            windowSeconds,
            e2ePerSecond: tracker.egressedInWindow / windowSeconds,
            producedPerSecond: tracker.acceptedOfWindow / windowSeconds,
            e2e: tracker.e2e.summary(),
            undrained,
            duplicates: tracker.duplicates,
            runtimeCpuUsPerMessage: perMessage(0),
            serviceCpuUsPerMessage: perMessage(1),
            brokerCpuUsPerMessage: perMessage(2),
            loadGeneratorCpuUsPerMessage: window.ownCpuMicros() / tracker.egressedInWindow,
            runtimeRssMaxMB: toMB(rss.stop()),
            activity: activityBetween(await window.metricsAtStart, await window.metricsAtEnd),
          };
        } finally {
          rss.stop();
          await reader.disconnect().catch(() => undefined);
          await producer.disconnect().catch(() => undefined);
        }
      },
      kafkaModule(service.url, broker.brokers, semantic),
    );
  } finally {
    await broker.stop();
  }
}
