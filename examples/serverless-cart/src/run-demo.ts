/**
 * The serverless cart demo as a function (`npm run serverless-demo` calls it, and so does its test): starts
 * kinesalite with the streams `cart-events` and `cart-results`, the Lambda handler of src/lambda.ts behind a local
 * function URL, and `statehouse run`; restocks the inventory through the runtime's HTTP ingress, puts cart events to
 * Kinesis, reads the cart's results back from Kinesis, prints each step, and stops everything it started, last
 * started first, also when a step fails or `signal` aborts.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddToCart, Restock } from '@statehouse/example-shopping-cart/src/messages.js';
import {
  RuntimeProcess,
  recentWarnings,
  saveProcessLogs,
  startKinesalite,
  type Kinesalite,
  Started,
} from '@statehouse/testkit';
import { RESULTS_STREAM } from './cart.js';
import { CART_EVENTS_STREAM, putCartEvents } from './cart-events-producer.js';
import { startFunctionUrlServer, type FunctionUrlServer } from './function-url-server.js';
import { handler } from './lambda.js';
import { startResultsConsumer, type CartResultRecord, type ResultsConsumer } from './results-consumer.js';

export type { CartResultRecord } from './results-consumer.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MODULE_TEMPLATE = fileURLToPath(new URL('../module.yaml', import.meta.url));
/** What module.yaml names, replaced by this run's function URL and kinesalite. */
const TEMPLATE_FUNCTION_URL = 'http://127.0.0.1:9000/';
const TEMPLATE_KINESIS = 'http://127.0.0.1:4567';
const SHARDS = 2;

/** The restocks of the walk-through, sent through the HTTP ingress before any cart event. */
export const DEMO_RESTOCKS: readonly Restock[] = [
  { itemId: 'socks', quantity: 5 },
  { itemId: 'hat', quantity: 1 },
];
/**
 * The cart events of the walk-through. Carts are served in no set order, so the outcomes must not depend on it:
 * socks suffice for both users, and Lee's two hats fail whether Kim's hat (the only one) was reserved first or not.
 */
export const DEMO_EVENTS: readonly AddToCart[] = [
  { userId: 'kim', itemId: 'socks', quantity: 2 },
  { userId: 'kim', itemId: 'hat', quantity: 1 },
  { userId: 'lee', itemId: 'socks', quantity: 1 },
  { userId: 'lee', itemId: 'hat', quantity: 2 },
];
const WAIT_MS = 30_000;
/** Lines of a list printed before the rest is summed up. */
const SHOWN = 8;

/** Options of {@link runServerlessDemo}. */
export interface ServerlessDemoOptions {
  /**
   * The demo's directory, wiped at start: the module.yaml `statehouse run` reads, its data directory and its log.
   * @default `.statehouse/serverless-demo` in the repository
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
  /** Restocks sent before the cart events. @default {@link DEMO_RESTOCKS} */
  readonly restocks?: readonly Restock[];
  /** Cart events put to `cart-events`. @default {@link DEMO_EVENTS} */
  readonly events?: readonly AddToCart[];
}

/** What the demo saw. */
export interface ServerlessDemoResult {
  /** Each record read from `cart-results`, shard by shard (a record put twice is here twice). */
  readonly results: readonly CartResultRecord[];
  /** The committed state of every cart and item of the events, by `type/id`: each state name's JSON value. */
  readonly state: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Lambda invocations through the local function URL. */
  readonly invocations: number;
  /** Invocations whose handler threw. */
  readonly failures: number;
}

/** The running demo's parts, passed to each step. */
interface Demo {
  readonly print: (line: string) => void;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly signal: AbortSignal | undefined;
  readonly started: Started;
  readonly workDir: string;
  readonly restocks: readonly Restock[];
  readonly events: readonly AddToCart[];
}

/**
 * Runs the demo from start to end.
 *
 * @returns the results read from Kinesis, the state and the Lambda invocations, once everything is stopped.
 * @throws an Error saying which step failed (everything started is stopped first), or the signal's reason; an
 * Error at once for `keep` without `signal`.
 */
export async function runServerlessDemo(options: ServerlessDemoOptions = {}): Promise<ServerlessDemoResult> {
  if (options.keep === true && options.signal === undefined) {
    throw new Error('runServerlessDemo: keep needs a signal, to stop what it keeps running');
  }
  const isStyled = options.print === undefined && process.stdout.isTTY;
  const style = (code: number) => (text: string) => (isStyled ? `\x1b[${code}m${text}\x1b[0m` : text);
  const demo: Demo = {
    print: options.print ?? ((line) => console.log(line)),
    bold: style(1),
    dim: style(2),
    signal: options.signal,
    started: new Started(),
    workDir: options.workDir ?? join(REPO, '.statehouse/serverless-demo'),
    restocks: options.restocks ?? DEMO_RESTOCKS,
    events: options.events ?? DEMO_EVENTS,
  };
  try {
    return await walkThrough(demo, options.keep ?? false);
  } finally {
    const stopped = await demo.started.stopAll();
    demo.print(demo.dim(`\nStopped ${stopped.join(', ')}.`));
  }
}

async function walkThrough(demo: Demo, keep: boolean): Promise<ServerlessDemoResult> {
  const { print, bold, dim } = demo;
  await rm(demo.workDir, { recursive: true, force: true });
  await mkdir(demo.workDir, { recursive: true });
  print(
    bold('The shopping cart as an AWS Lambda function, fed from Kinesis, its results written to Kinesis\n'),
  );

  const kinesis = await startKinesis(demo);
  const functionUrl = await startFunctionUrl(demo);
  const runtime = await startStatehouse(demo, kinesis, functionUrl);

  print(
    `\n${bold('4.')} Restocks, through the runtime's HTTP ingress ${dim('(POST /v1/ingress/example/inventory/…)')}`,
  );
  await restock(demo, runtime);

  const consumer = await startResultsConsumer(kinesis.client, RESULTS_STREAM);
  demo.started.add('the result consumer', () => consumer.stop());
  print(`\n${bold('5.')} Cart events, put to ${CART_EVENTS_STREAM} ${dim('(partition key: the user id)')}`);
  const since = Date.now();
  await putCartEvents(kinesis.client, demo.events);
  printSome(
    demo,
    demo.events,
    (e) => `   ${dim('→')} ${CART_EVENTS_STREAM}  key ${e.userId}  ${JSON.stringify(e)}`,
  );

  print(
    `\n${bold('6.')} Results, read from ${RESULTS_STREAM} by a GetRecords consumer ` +
      dim(
        '(each: Kinesis → cart → inventory → cart → Kinesis egress, every call through the Lambda handler)',
      ),
  );
  await waitUntil(
    demo,
    runtime,
    () => `a result per cart event in ${RESULTS_STREAM}${consumerProblem(consumer)}`,
    () => missingResults(demo.events, consumer) === 0 || undefined,
  );
  const results = [...consumer.records];
  printSome(demo, results, (r) => {
    const where = `${r.shardId}, sequence number …${r.sequenceNumber.slice(-6)}`;
    return `   ${dim('←')} ${RESULTS_STREAM}  key ${r.partitionKey}  ${JSON.stringify(r.value)}  ${dim(where)}`;
  });
  print(dim(`   all ${demo.events.length} back ${secondsSince(since)} after the events were put`));

  const state = await showState(demo, runtime);
  print(
    `\n${bold('8.')} The Lambda handler ran ${functionUrl.invocations} times through the local function URL ` +
      `(${functionUrl.failures} failed) ${dim('(each invocation: one batch of messages for one function address)')}`,
  );
  lookFurther(demo, runtime, keep);
  if (keep && demo.signal !== undefined) await aborted(demo.signal);
  return { results, state, invocations: functionUrl.invocations, failures: functionUrl.failures };
}

async function startKinesis(demo: Demo): Promise<Kinesalite> {
  demo.print(`${demo.bold('1.')} Kinesis ${demo.dim('(kinesalite, in memory, in this process)')}`);
  const kinesis = await startKinesalite();
  demo.started.add('kinesalite', () => kinesis.stop());
  for (const stream of [CART_EVENTS_STREAM, RESULTS_STREAM]) await kinesis.createStream(stream, SHARDS);
  demo.print(
    `   on ${kinesis.endpoint}, streams ${CART_EVENTS_STREAM} and ${RESULTS_STREAM} (${SHARDS} shards each)`,
  );
  demo.signal?.throwIfAborted();
  return kinesis;
}

async function startFunctionUrl(demo: Demo): Promise<FunctionUrlServer> {
  const functionUrl = await startFunctionUrlServer(handler, {
    onError: (error) => demo.print(`   the Lambda handler threw: ${String(error)}`),
  });
  demo.started.add('the function URL', () => functionUrl.close());
  demo.print(
    `${demo.bold('2.')} Lambda handler ${demo.dim('(src/lambda.ts: example/cart, example/inventory)')} behind a ` +
      `local function URL on ${functionUrl.url}`,
  );
  demo.signal?.throwIfAborted();
  return functionUrl;
}

async function startStatehouse(
  demo: Demo,
  kinesis: Kinesalite,
  functionUrl: FunctionUrlServer,
): Promise<RuntimeProcess> {
  const template = await readFile(MODULE_TEMPLATE, 'utf8');
  if (!template.includes(TEMPLATE_FUNCTION_URL) || !template.includes(TEMPLATE_KINESIS)) {
    throw new Error(
      `${MODULE_TEMPLATE} must name the function URL ${TEMPLATE_FUNCTION_URL} and the Kinesis endpoint ` +
        `${TEMPLATE_KINESIS}: the demo replaces them with its own; put them back.`,
    );
  }
  const moduleYaml = template
    .replaceAll(TEMPLATE_FUNCTION_URL, functionUrl.url)
    .replaceAll(TEMPLATE_KINESIS, kinesis.endpoint);
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
    `   module:   ${shown(MODULE_TEMPLATE)} with ${TEMPLATE_FUNCTION_URL} → ${functionUrl.url} and ` +
      `${TEMPLATE_KINESIS} → ${kinesis.endpoint} (the copy it runs is in ${shown(demo.workDir)})`,
  );
  demo.print(`   data dir: ${shown(join(demo.workDir, 'data'))}`);
  demo.print(
    `   its log:  ${shown(join(demo.workDir, `${logName}.log`))} ${demo.dim('(written when it stops)')}`,
  );
  return runtime;
}

/** Sends each restock, then waits until the inventory's state shows them (so cart events cannot overtake them). */
async function restock(demo: Demo, runtime: RuntimeProcess): Promise<void> {
  const expected = new Map<string, number>();
  for (const r of demo.restocks) {
    const res = await fetch(`${runtime.url}/v1/ingress/example/inventory/${encodeURIComponent(r.itemId)}`, {
      method: 'POST',
      headers: { 'statefun-type': 'example/Restock', 'content-type': 'application/json' },
      body: JSON.stringify(r),
    });
    if (res.status !== 202) throw new Error(`the HTTP ingress answered ${res.status}: ${await res.text()}`);
    expected.set(r.itemId, (expected.get(r.itemId) ?? 0) + r.quantity);
  }
  printSome(
    demo,
    demo.restocks,
    (r) => `   ${demo.dim('→')} example/inventory/${r.itemId}  ${JSON.stringify(r)}`,
  );
  await waitUntil(demo, runtime, 'the inventory to hold the restocks', async () => {
    for (const [itemId, quantity] of expected) {
      const stock = (await stateOf(runtime, `example/inventory/${itemId}`))['stock'] as
        { inStock?: number } | undefined;
      if ((stock?.inStock ?? 0) < quantity) return undefined;
    }
    return true;
  });
  demo.print(demo.dim('   in stock (GET /v1/state/example/inventory/…)'));
}

/** The consumer's last read error, for a timeout's message (it keeps polling after one). */
function consumerProblem(consumer: ResultsConsumer): string {
  const problem = consumer.lastError;
  if (problem === undefined) return '';
  return ` (its last read failed: ${problem instanceof Error ? problem.message : JSON.stringify(problem)})`;
}

/** How many cart events have no result read yet (results matched by user, item and quantity). */
function missingResults(events: readonly AddToCart[], consumer: ResultsConsumer): number {
  const key = (x: { userId: string; itemId: string; quantity: number }) =>
    `${x.userId}/${x.itemId}/${x.quantity}`;
  const pending = new Map<string, number>();
  for (const e of events) pending.set(key(e), (pending.get(key(e)) ?? 0) + 1);
  for (const r of consumer.records) pending.set(key(r.value), (pending.get(key(r.value)) ?? 0) - 1);
  return [...pending.values()].reduce((sum, n) => sum + Math.max(0, n), 0);
}

async function showState(demo: Demo, runtime: RuntimeProcess): Promise<ServerlessDemoResult['state']> {
  demo.print(`\n${demo.bold('7.')} State committed in the store ${demo.dim('(GET /v1/state/…)')}`);
  const paths = [
    ...new Set(demo.events.map((e) => `example/cart/${e.userId}`)),
    ...new Set([...demo.restocks, ...demo.events].map((x) => `example/inventory/${x.itemId}`)),
  ];
  const state: Record<string, Record<string, unknown>> = {};
  for (const path of paths) state[path] = await stateOf(runtime, path);
  printSome(demo, paths, (path) => `   ${path}: ${JSON.stringify(state[path])}`);
  return state;
}

/** The JSON value of each state of a function address; none before its first commit. */
async function stateOf(runtime: RuntimeProcess, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${runtime.url}/v1/state/${path}`);
  // 404 ERR_API_NO_STATE: nothing committed for the address yet.
  if (res.status === 404) return {};
  if (!res.ok) throw new Error(`GET /v1/state/${path} answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { values?: Record<string, { json?: unknown }> };
  return Object.fromEntries(Object.entries(body.values ?? {}).map(([name, v]) => [name, v.json]));
}

function printSome<T>(demo: Demo, items: readonly T[], line: (item: T) => string): void {
  for (const item of items.slice(0, SHOWN)) demo.print(line(item));
  if (items.length > SHOWN) demo.print(demo.dim(`   … and ${items.length - SHOWN} more`));
}

function lookFurther(demo: Demo, runtime: RuntimeProcess, keep: boolean): void {
  const how = keep
    ? 'everything keeps running; Ctrl-C stops it'
    : 'the demo stops everything now; `npm run serverless-demo -- --keep` keeps it running';
  demo.print(`\n${demo.bold('Look further')} ${demo.dim(`(${how})`)}:`);
  demo.print(`  curl ${runtime.url}/v1/connectors`);
  demo.print(`  curl ${runtime.url}/v1/state/example/cart/kim`);
  demo.print(`  curl ${runtime.url}/v1/state/example/inventory/hat`);
  demo.print(`  curl -s ${runtime.url}/metrics | grep statehouse_kinesis`);
}

/**
 * Polls `check` every 100 ms until it returns a value. Throws naming `what` (or what it returns) after {@link WAIT_MS}, with the
 * runtime's last warnings, or at once when the runtime has exited or `signal` aborts.
 */
async function waitUntil<T>(
  demo: Demo,
  runtime: RuntimeProcess,
  what: string | (() => string),
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
      const waitedFor = typeof what === 'string' ? what : what();
      throw new Error(`${problem} waiting for ${waitedFor}${warnings.map((w) => `\n  ${w}`).join('')}`);
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
