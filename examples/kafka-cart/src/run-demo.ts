/**
 * The Kafka cart demo as a function (`npm run kafka-demo` calls it, and so does its test): starts librdkafka's mock
 * broker, the function service and `statehouse run`, produces restocks and cart events with kafkajs, reads the
 * cart's results back from Kafka, prints each step, and stops everything it started, last started first, also when
 * a step fails or `signal` aborts.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import type { AddToCart, AddToCartResult, Restock } from '@statehouse/example-shopping-cart/src/messages.js';
import { serve } from '@statehouse/sdk';
import {
  RuntimeProcess,
  recentWarnings,
  saveProcessLogs,
  startMockKafka,
  type MockKafka,
  Started,
} from '@statehouse/testkit';
import { RESULTS_TOPIC, functions } from './index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MODULE_TEMPLATE = fileURLToPath(new URL('../module.yaml', import.meta.url));
/** What module.yaml names, replaced by this run's broker and function service. */
const TEMPLATE_BROKER = '127.0.0.1:9092';
const TEMPLATE_SERVICE_URL = 'http://127.0.0.1:8000/statefun';

const RESTOCKS_TOPIC = 'restocks';
const CART_EVENTS_TOPIC = 'cart-events';
const TOPICS = [RESTOCKS_TOPIC, CART_EVENTS_TOPIC, RESULTS_TOPIC].map((name) => ({ name, partitions: 3 }));

const RESTOCKS: readonly Restock[] = [
  { itemId: 'socks', quantity: 5 },
  { itemId: 'hat', quantity: 1 },
];
// Carts are served in no set order, so these outcomes must not depend on it: socks suffice for both users, and
// Lee's two hats fail whether Kim's hat (the only one) was reserved first or not.
const CART_EVENTS: readonly AddToCart[] = [
  { userId: 'kim', itemId: 'socks', quantity: 2 },
  { userId: 'kim', itemId: 'hat', quantity: 1 },
  { userId: 'lee', itemId: 'socks', quantity: 1 },
  { userId: 'lee', itemId: 'hat', quantity: 2 },
];
const STATE_SHOWN = [
  'example/cart/kim',
  'example/cart/lee',
  'example/inventory/socks',
  'example/inventory/hat',
];
const WAIT_MS = 30_000;

/** Options of {@link runKafkaDemo}. */
export interface KafkaDemoOptions {
  /**
   * The demo's directory, wiped at start: the module.yaml `statehouse run` reads, its data directory and its log.
   * @default `.statehouse/kafka-demo` in the repository
   */
  readonly workDir?: string;
  /**
   * Where the demo's lines go (without colours when given).
   * @default console.log
   */
  readonly print?: (line: string) => void;
  /**
   * Keep everything running after the walk-through, until `signal` aborts.
   * @default false
   */
  readonly keep?: boolean;
  /** Aborts the demo (Ctrl-C): everything started is stopped, and the demo rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** One record of the `cart-results` topic, as the demo's consumer read it. */
export interface CartResultRecord {
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  /** The `statehouse-record-id` header: `<egress id>/<log offset>`, the same when a record is sent again. */
  readonly recordId: string;
  readonly value: AddToCartResult;
}

/** What the demo saw. */
export interface KafkaDemoResult {
  /** Each result read from Kafka, once per record id, in the order read. */
  readonly results: readonly CartResultRecord[];
  /** The committed state of both carts and both items, by `type/id`: each state name's JSON value. */
  readonly state: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The running demo's parts, passed to each step. */
interface Demo {
  readonly print: (line: string) => void;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly signal: AbortSignal | undefined;
  readonly started: Started;
  readonly workDir: string;
}

/**
 * Runs the demo from start to end.
 *
 * @returns the results read from Kafka and the state shown, once everything is stopped.
 * @throws an Error saying which step failed (everything started is stopped first), or the signal's reason; an
 * Error at once for `keep` without `signal`.
 */
export async function runKafkaDemo(options: KafkaDemoOptions = {}): Promise<KafkaDemoResult> {
  if (options.keep === true && options.signal === undefined) {
    throw new Error('runKafkaDemo: keep needs a signal, to stop what it keeps running');
  }
  const isStyled = options.print === undefined && process.stdout.isTTY;
  const style = (code: number) => (text: string) => (isStyled ? `\x1b[${code}m${text}\x1b[0m` : text);
  const demo: Demo = {
    print: options.print ?? ((line) => console.log(line)),
    bold: style(1),
    dim: style(2),
    signal: options.signal,
    started: new Started(),
    workDir: options.workDir ?? join(REPO, '.statehouse/kafka-demo'),
  };
  try {
    return await walkThrough(demo, options.keep ?? false);
  } finally {
    const stopped = await demo.started.stopAll();
    demo.print(demo.dim(`\nStopped ${stopped.join(', ')}.`));
  }
}

async function walkThrough(demo: Demo, keep: boolean): Promise<KafkaDemoResult> {
  const { print, bold, dim } = demo;
  await rm(demo.workDir, { recursive: true, force: true });
  await mkdir(demo.workDir, { recursive: true });
  print(bold('The shopping cart fed from Kafka, its results written to Kafka\n'));

  const kafka = await startBroker(demo);
  const runtime = await startStatehouse(demo, kafka);
  const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
  const results = await readResults(demo, client);
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  demo.started.add('the producer', () => producer.disconnect());
  await producer.connect();

  print(`\n${bold('4.')} Restocks, produced to ${RESTOCKS_TOPIC} ${dim('(key: the item id)')}`);
  await produce(demo, producer, RESTOCKS_TOPIC, RESTOCKS, (r) => r.itemId);
  // The ingress reads the two topics in no set order: cart events sent now cannot overtake the restocks.
  print(dim(`   waiting until the ingress has read them (GET ${runtime.url}/v1/connectors)…`));
  let since = Date.now();
  await waitUntil(demo, runtime, `the ingress reading ${RESTOCKS.length} restocks`, async () => {
    const read = (await connectorPositions(runtime)).get(RESTOCKS_TOPIC) ?? 0;
    return read >= RESTOCKS.length || undefined;
  });
  print(dim(`   read in ${secondsSince(since)}`));

  print(`\n${bold('5.')} Cart events, produced to ${CART_EVENTS_TOPIC} ${dim('(key: the user id)')}`);
  since = Date.now();
  await produce(demo, producer, CART_EVENTS_TOPIC, CART_EVENTS, (e) => e.userId);

  print(
    `\n${bold('6.')} Results, read from ${RESULTS_TOPIC} by a kafkajs consumer ` +
      dim('(each: cart → inventory → cart → Kafka egress)'),
  );
  await waitUntil(demo, runtime, `${CART_EVENTS.length} records in ${RESULTS_TOPIC}`, () =>
    results.length >= CART_EVENTS.length ? true : undefined,
  );
  for (const r of results) {
    const where = `partition ${r.partition}, offset ${r.offset}, statehouse-record-id ${r.recordId}`;
    print(`   ${dim('←')} ${RESULTS_TOPIC}  key ${r.key}  ${JSON.stringify(r.value)}  ${dim(where)}`);
  }
  print(dim(`   all ${results.length} back ${secondsSince(since)} after the events were produced`));

  const state = await showState(demo, runtime);
  lookFurther(demo, runtime, keep);
  if (keep && demo.signal !== undefined) await aborted(demo.signal);
  return { results: [...results], state };
}

async function startBroker(demo: Demo): Promise<MockKafka> {
  demo.print(
    `${demo.bold('1.')} Mock Kafka broker ${demo.dim('(librdkafka’s; built on first use with gcc and librdkafka-dev)')}`,
  );
  const kafka = await startMockKafka({ brokers: 1, topics: TOPICS });
  demo.started.add(
    `the mock broker (pid ${kafka.pid})`,
    () => kafka.stop(),
    () => kafka.pid,
  );
  const topics = TOPICS.map((t) => `${t.name} (${t.partitions} partitions)`).join(', ');
  demo.print(`   on ${kafka.brokers.join(',')}, topics ${topics}`);
  demo.signal?.throwIfAborted();
  return kafka;
}

async function startStatehouse(demo: Demo, kafka: MockKafka): Promise<RuntimeProcess> {
  const service = await serve(functions, { host: '127.0.0.1', port: 0 });
  demo.started.add('the function service', () => service.close());
  demo.print(
    `${demo.bold('2.')} Function service ${demo.dim('(example/cart, example/inventory; @statehouse/sdk)')} ` +
      `on ${service.url}statefun`,
  );

  const template = await readFile(MODULE_TEMPLATE, 'utf8');
  if (!template.includes(TEMPLATE_BROKER) || !template.includes(TEMPLATE_SERVICE_URL)) {
    throw new Error(
      `${MODULE_TEMPLATE} must name the broker ${TEMPLATE_BROKER} and the endpoint ${TEMPLATE_SERVICE_URL}: ` +
        'the demo replaces them with its own; put them back.',
    );
  }
  const moduleYaml = template
    .replaceAll(TEMPLATE_BROKER, kafka.brokers.join(','))
    .replaceAll(TEMPLATE_SERVICE_URL, `${service.url}statefun`);
  const runtime = new RuntimeProcess({ dataDir: join(demo.workDir, 'data'), moduleYaml });
  const logName = 'statehouse-run';
  demo.started.add(
    'statehouse run',
    async () => {
      await runtime.stop();
      await saveProcessLogs(demo.workDir, [{ name: logName, node: runtime }]);
    },
    () => runtime.pid,
  );
  demo.signal?.throwIfAborted();
  await runtime.start();
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  demo.print(`${demo.bold('3.')} statehouse run (pid ${runtime.pid}), API on ${runtime.url}`);
  demo.print(
    `   module:   ${shown(MODULE_TEMPLATE)} with ${TEMPLATE_BROKER} → ${kafka.brokers.join(',')} ` +
      `(the copy it runs is in ${shown(demo.workDir)})`,
  );
  demo.print(`   data dir: ${shown(join(demo.workDir, 'data'))}`);
  demo.print(
    `   its log:  ${shown(join(demo.workDir, `${logName}.log`))} ${demo.dim('(written when it stops)')}`,
  );
  return runtime;
}

/** Starts a consumer of the results topic; the returned array fills as records arrive (once per record id). */
async function readResults(demo: Demo, client: Kafka): Promise<CartResultRecord[]> {
  const consumer = client.consumer({ groupId: 'kafka-cart-demo-reader' });
  demo.started.add('the result consumer', () => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: RESULTS_TOPIC, fromBeginning: true });
  const results: CartResultRecord[] = [];
  const seen = new Set<string>();
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const recordId = String(message.headers?.['statehouse-record-id']);
      // At-least-once: a batch sent again after a failure repeats records, with the same ids.
      if (!seen.has(recordId)) {
        seen.add(recordId);
        const value = JSON.parse(String(message.value)) as AddToCartResult;
        results.push({ key: String(message.key), partition, offset: message.offset, recordId, value });
      }
      return Promise.resolve();
    },
  });
  return results;
}

async function produce<T>(
  demo: Demo,
  producer: Producer,
  topic: string,
  values: readonly T[],
  keyOf: (value: T) => string,
): Promise<void> {
  const messages = values.map((value) => ({ key: keyOf(value), value: JSON.stringify(value) }));
  await producer.send({ topic, messages });
  for (const m of messages) demo.print(`   ${demo.dim('→')} ${topic}  key ${m.key}  ${m.value}`);
}

/** Records read per topic: the sum of the ingress's partition positions (each topic starts empty). */
async function connectorPositions(runtime: RuntimeProcess): Promise<Map<string, number>> {
  const body = (await getJson(runtime, '/v1/connectors')) as {
    connectors: { parts?: { source: string; position: string }[] }[];
  };
  const read = new Map<string, number>();
  for (const part of body.connectors.flatMap((c) => c.parts ?? [])) {
    read.set(part.source, (read.get(part.source) ?? 0) + Number(part.position));
  }
  return read;
}

async function showState(demo: Demo, runtime: RuntimeProcess): Promise<KafkaDemoResult['state']> {
  demo.print(`\n${demo.bold('7.')} State committed in the store ${demo.dim('(GET /v1/state/…)')}`);
  const state: Record<string, Record<string, unknown>> = {};
  for (const path of STATE_SHOWN) {
    const body = (await getJson(runtime, `/v1/state/${path}`)) as {
      values?: Record<string, { json?: unknown }>;
    };
    state[path] = Object.fromEntries(Object.entries(body.values ?? {}).map(([name, v]) => [name, v.json]));
    demo.print(`   ${path}: ${JSON.stringify(state[path])}`);
  }
  return state;
}

function lookFurther(demo: Demo, runtime: RuntimeProcess, keep: boolean): void {
  const how = keep
    ? 'everything keeps running; Ctrl-C stops it'
    : 'the demo stops everything now; `npm run kafka-demo -- --keep` keeps it running';
  demo.print(`\n${demo.bold('Look further')} ${demo.dim(`(${how})`)}:`);
  demo.print(`  curl ${runtime.url}/v1/connectors`);
  demo.print(`  curl ${runtime.url}/v1/state/example/cart/kim`);
  demo.print(`  curl ${runtime.url}/v1/state/example/inventory/hat`);
  demo.print(`  curl -s ${runtime.url}/metrics | grep statehouse_kafka`);
}

async function getJson(runtime: RuntimeProcess, path: string): Promise<unknown> {
  const res = await fetch(`${runtime.url}${path}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * Polls `check` every 100 ms until it returns a value. Throws naming `what` after {@link WAIT_MS}, with the
 * runtime's last warnings, or at once when the runtime has exited or `signal` aborts.
 */
async function waitUntil<T>(
  demo: Demo,
  runtime: RuntimeProcess,
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    demo.signal?.throwIfAborted();
    const problem = !runtime.isRunning
      ? 'statehouse run exited'
      : Date.now() > deadline
        ? `timed out after ${WAIT_MS / 1000} s`
        : undefined;
    if (problem !== undefined) {
      const warnings = recentWarnings([{ name: 'statehouse run', node: runtime }], 10);
      throw new Error(`${problem} waiting for ${what}${warnings.map((w) => `\n  ${w}`).join('')}`);
    }
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
