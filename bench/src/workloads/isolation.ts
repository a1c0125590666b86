/**
 * isolation: one failing function type must not slow down the others, and its backlog lives in the store, not
 * in the runtime's memory. On the embedded store (SQLite), with the counter load of the counter workload as the
 * healthy load and a second type, `bench/backlog`, whose service (`services/failing.ts`) answers 500:
 *
 * 1. solo: the healthy load alone on a fresh runtime (warm-up, then the window);
 * 2. with a failing type: a second fresh runtime; after the warm-up, `backlog` messages are posted to the
 *    failing type at full speed by several clients while the healthy load runs ("while posting"), then the
 *    healthy load runs one more window with the backlog held ("backlog held");
 * 3. drain: the healthy load stops, the failing service recovers, and the backlog drains; the egress of the
 *    backlog function proves each address's order and exactly-once (see `backlog-checker.ts`).
 *
 * RSS is the runtime child process's `VmRSS` (`/proc/<pid>/status`), sampled every 100 ms.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { moduleYaml } from '@statehouse/testkit';
import { request } from 'undici';

import { BacklogChecker, type BacklogCheck } from '../backlog-checker.js';
import { EgressFollower } from '../egress-follower.js';
import { now, sleep } from '../load.js';
import { BACKLOG_EGRESS, BACKLOG_TYPE, COUNTER_EGRESS, COUNTER_TYPE } from '../names.js';
import {
  makeTempDir,
  rssBytes,
  RssSampler,
  startRuntime,
  startServiceScript,
  type RuntimeHandle,
  type ServiceHandle,
} from '../processes.js';
import { postBacklog, type BacklogLoadResult } from './backlog-load.js';
import { PhasedCounterLoad, type PhaseResult } from './phased-load.js';
import { scrapeMemory, type RuntimeMemory } from './runtime-metrics.js';
import { toMB } from './session.js';

/** Settings of the isolation workload. */
export interface IsolationOptions {
  /** Messages posted to the failing type. */
  readonly backlogMessages: number;
  /** Addresses they go to. @default 1000 */
  readonly backlogAddresses?: number;
  /** Concurrent clients posting them, one connection each. @default 16 */
  readonly backlogClients?: number;
  /** Requests in flight of the healthy load. @default 64 */
  readonly concurrency?: number;
  /** Warm-up of the healthy load on each runtime. */
  readonly warmupMs: number;
  /** The solo window, and the window with the backlog held. */
  readonly durationMs: number;
  /** How long to wait for the healthy load's last records after it stops. */
  readonly drainMs: number;
  /** More flags for both runtimes, e.g. `['--max-inbox-messages', '5000']`. */
  readonly runtimeArgs?: readonly string[];
}

/** The failing type's entry of `GET /v1/backlog`. */
export interface BacklogSnapshot {
  /** Pending messages in the store. */
  readonly messages: number;
  readonly oldestAgeSeconds: number;
  /** Messages of the type held in memory. */
  readonly inMemory: number;
  readonly stalledAddresses: number;
}

/** What the drain measured. */
export interface DrainResult {
  /** Whether every accepted message came out before the timeout. */
  readonly isComplete: boolean;
  /** Recovery → the last message's egress record. */
  readonly seconds: number;
  /** Messages delivered after the recovery ÷ {@link DrainResult.seconds}. */
  readonly perSecond: number;
  /** Recovery → the first record (the stalled addresses' backoff). */
  readonly firstRecordAfterMs: number;
  /** Messages ÷ (last record − first record). */
  readonly activePerSecond: number;
  readonly rssMaxMB: number;
  readonly rssEndMB: number;
  /** The failing type's backlog once drained (messages 0). */
  readonly backlogAfter: BacklogSnapshot;
  /** The runtime's memory gauges once drained. */
  readonly memoryAfter: RuntimeMemory;
}

/** What one isolation run measured. */
export interface IsolationResult {
  readonly backlogMessages: number;
  readonly backlogAddresses: number;
  readonly backlogClients: number;
  readonly concurrency: number;
  readonly runtimeArgs: readonly string[];
  readonly solo: PhaseResult;
  readonly whilePosting: PhaseResult;
  readonly held: PhaseResult;
  /** RSS max over the whole second runtime's load (warm-up, posting, held) and at the end of it. */
  readonly withFailingRssMaxMB: number;
  readonly withFailingRssEndMB: number;
  readonly posting: BacklogLoadResult;
  /** The failing type's backlog at the end of the held window. */
  readonly backlogHeld: BacklogSnapshot;
  readonly drain: DrainResult;
  readonly check: BacklogCheck;
  /** The runtime's memory gauges at the end of the solo window and of the held window. */
  readonly memorySolo: RuntimeMemory;
  readonly memoryHeld: RuntimeMemory;
  /** Calls the failing service answered with 500, and served once recovered. */
  readonly failingService: { readonly failedCalls: number; readonly servedCalls: number };
}

/** The module: the counter on the bench service, the backlog type on the failing service. */
function isolationModule(serviceUrl: string, failingUrl: string): string {
  return moduleYaml({
    endpoints: [
      { functions: COUNTER_TYPE, urlPathTemplate: `${serviceUrl}/statefun` },
      { functions: BACKLOG_TYPE, urlPathTemplate: `${failingUrl}/statefun` },
    ],
    logEgresses: [COUNTER_EGRESS, BACKLOG_EGRESS],
  });
}

async function withIsolationRuntime<T>(
  module: string,
  runtimeArgs: readonly string[],
  fn: (runtime: RuntimeHandle) => Promise<T>,
): Promise<T> {
  const workDir = await makeTempDir();
  const runtime = await startRuntime({
    moduleYaml: module,
    dataDir: join(workDir, 'data'),
    workDir,
    extraArgs: runtimeArgs,
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function controlFailing(url: string, what: 'fail' | 'recover' | 'stats') {
  const res = await request(`${url}/control/${what}`, { method: what === 'stats' ? 'GET' : 'POST' });
  const body = (await res.body.json()) as { failedCalls: number; servedCalls: number };
  if (res.statusCode !== 200) throw new Error(`the failing service answered ${res.statusCode} to ${what}`);
  return { failedCalls: body.failedCalls, servedCalls: body.servedCalls };
}

/**
 * The failing type's backlog, counted now by the runtime.
 *
 * @param url - the runtime's API URL.
 * @returns its entry of `GET /v1/backlog` (zeros when it has none).
 */
async function readBacklog(url: string): Promise<BacklogSnapshot> {
  const res = await request(`${url}/v1/backlog`);
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET /v1/backlog answered ${res.statusCode}: ${text}`);
  const { backlog } = JSON.parse(text) as { backlog: (BacklogSnapshot & { functionType: string })[] };
  const entry = backlog.find((b) => b.functionType === BACKLOG_TYPE);
  return {
    messages: entry?.messages ?? 0,
    oldestAgeSeconds: entry?.oldestAgeSeconds ?? 0,
    inMemory: entry?.inMemory ?? 0,
    stalledAddresses: entry?.stalledAddresses ?? 0,
  };
}

/**
 * Runs the isolation workload.
 *
 * @param service - the running function service of the counter (our SDK's).
 * @param options - backlog size, clients, durations.
 * @returns the measurements of the three steps.
 * @throws when a runtime or service fails, or an ingress answers other than 202 or 503.
 */
export async function runIsolation(
  service: ServiceHandle,
  options: IsolationOptions,
): Promise<IsolationResult> {
  const concurrency = options.concurrency ?? 64;
  const backlogAddresses = options.backlogAddresses ?? 1_000;
  const backlogClients = Math.min(options.backlogClients ?? 16, backlogAddresses);
  const runtimeArgs = options.runtimeArgs ?? [];
  const failing = await startServiceScript('failing');
  try {
    const module = isolationModule(service.url, failing.url);
    const [solo, memorySolo] = await withIsolationRuntime(module, runtimeArgs, async (runtime) => {
      const load = new PhasedCounterLoad(runtime, concurrency);
      try {
        load.start('warm-up');
        await sleep(options.warmupMs);
        load.next('solo');
        await sleep(options.durationMs);
        const memory = await scrapeMemory(runtime.url);
        const [, result] = await load.stop(options.drainMs);
        return [result!, memory] as const;
      } finally {
        await stopQuietly(load);
      }
    });

    return await withIsolationRuntime(module, runtimeArgs, async (runtime) => {
      await controlFailing(failing.url, 'fail');
      const checker = new BacklogChecker(options.backlogMessages, backlogAddresses);
      const follower = new EgressFollower(runtime.url, BACKLOG_EGRESS, (records, at) =>
        checker.observe(records, at),
      );
      follower.start();
      const load = new PhasedCounterLoad(runtime, concurrency);
      try {
        const wholeRss = new RssSampler(runtime.pid);
        load.start('warm-up');
        await sleep(options.warmupMs);
        load.next('while posting');
        const posting = await postBacklog(
          runtime.url,
          { messages: options.backlogMessages, addresses: backlogAddresses, clients: backlogClients },
          checker,
        );
        load.next('backlog held');
        await sleep(options.durationMs);
        const backlogHeld = await readBacklog(runtime.url);
        const memoryHeld = await scrapeMemory(runtime.url);
        const [, whilePosting, held] = await load.stop(options.drainMs);
        const withFailingRssMaxMB = toMB(wholeRss.stop());
        const withFailingRssEndMB = toMB(rssBytes(runtime.pid));

        const drain = await measureDrain(runtime, failing.url, checker, follower);
        return {
          backlogMessages: options.backlogMessages,
          backlogAddresses,
          backlogClients,
          concurrency,
          runtimeArgs,
          solo,
          whilePosting: whilePosting!,
          held: held!,
          withFailingRssMaxMB,
          withFailingRssEndMB,
          posting,
          backlogHeld,
          drain,
          memorySolo,
          memoryHeld,
          check: checker.result(),
          failingService: await controlFailing(failing.url, 'stats'),
        };
      } finally {
        await stopQuietly(load);
        await follower.stop();
      }
    });
  } finally {
    await failing.stop();
  }
}

/** Stops a load that a failure left running (a no-op once it stopped). */
async function stopQuietly(load: PhasedCounterLoad): Promise<void> {
  await load.stop(0).catch(() => undefined);
}

/** Lets the failing service recover and waits until every accepted message came out of its egress. */
async function measureDrain(
  runtime: RuntimeHandle,
  failingUrl: string,
  checker: BacklogChecker,
  follower: EgressFollower,
): Promise<DrainResult> {
  const rss = new RssSampler(runtime.pid);
  const alreadyOut = checker.delivered;
  const recoveredAt = now();
  await controlFailing(failingUrl, 'recover');
  // At least 500 msg/s, or give up.
  const deadline = recoveredAt + 120_000 + 2 * checker.accepted;
  while (checker.delivered < checker.accepted && now() < deadline && follower.error === undefined)
    await sleep(20);
  if (follower.error !== undefined) throw follower.error;
  const rssMax = rss.stop();
  const rssEnd = rssBytes(runtime.pid);
  // A late duplicate would come with the next pages: give the follower one more long poll.
  await sleep(1_500);
  const drained = checker.delivered - alreadyOut;
  const seconds = (checker.lastDeliveredAt - recoveredAt) / 1000;
  return {
    isComplete: checker.delivered >= checker.accepted,
    seconds,
    perSecond: drained / seconds,
    firstRecordAfterMs: checker.firstDeliveredAt - recoveredAt,
    activePerSecond: drained / ((checker.lastDeliveredAt - checker.firstDeliveredAt) / 1000),
    rssMaxMB: toMB(rssMax),
    rssEndMB: toMB(rssEnd),
    backlogAfter: await readBacklog(runtime.url),
    memoryAfter: await scrapeMemory(runtime.url),
  };
}
