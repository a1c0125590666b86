/**
 * counter: 1,000 keys, a closed loop of ingress requests at a given concurrency; each message increments a
 * counter and emits an egress record. Measures ingress-ack throughput and latency, end-to-end throughput
 * (records committed to the egress per second) and latency (egress page arrival − sentAt, so it includes
 * the long poll), CPU per message of the runtime and the service, and the runtime's peak RSS.
 */
import { seededRandom } from '@statehouse/testkit';
import { Pool } from 'undici';

import { EgressFollower } from '../egress-follower.js';
import type { LatencySummary } from '../histogram.js';
import { now, runClosedLoop, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME, type CounterEvent } from '../names.js';
import type { ServiceHandle } from '../processes.js';
import type { Profile } from '../profile.js';
import {
  activityBetween,
  scrapeMetrics,
  type MetricsSnapshot,
  type RuntimeActivity,
} from './runtime-metrics.js';
import { CpuWindow, postIngress, sampleRss, toMB, withRuntime } from './session.js';

/** Keys the counter messages go to. */
export const COUNTER_KEYS = 1_000;

/** What one counter run measured. */
export interface CounterResult {
  readonly concurrency: number;
  readonly ackPerSecond: number;
  readonly ack: LatencySummary;
  readonly e2ePerSecond: number;
  readonly e2e: LatencySummary;
  /** Accepted window messages still not in the egress when the bench stopped waiting (latency is a lower bound). */
  readonly undrained: number;
  /** Accepted minus egressed at the end of the window. */
  readonly backlogAtWindowEnd: number;
  readonly rejected: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly duplicates: number;
  readonly runtimeCpuUsPerMessage: number;
  readonly serviceCpuUsPerMessage: number;
  readonly runtimeRssMaxMB: number;
  /** Batches, commits and commit sizes inside the window. */
  readonly activity: RuntimeActivity;
}

/** Feeds counter egress records to a tracker. */
export function trackCounterEgress(tracker: MessageTracker) {
  return (records: readonly { json?: unknown }[], at: number): void => {
    for (const r of records) {
      const event = r.json as CounterEvent | undefined;
      if (event !== undefined) tracker.observe(event.seq, event.sentAt, at);
    }
  };
}

/**
 * Runs the counter workload on a fresh runtime.
 *
 * @param service - the running function service.
 * @param profile - durations.
 * @param concurrency - requests in flight.
 * @returns the measurements.
 */
export async function runCounter(
  service: ServiceHandle,
  profile: Profile,
  concurrency: number,
): Promise<CounterResult> {
  return withRuntime(service, async (runtime) => {
    const tracker = new MessageTracker();
    const follower = new EgressFollower(runtime.url, COUNTER_EGRESS, trackCounterEgress(tracker));
    const pool = new Pool(runtime.url, { connections: concurrency, keepAliveTimeout: 60_000 });
    const cpu = new CpuWindow([runtime.pid, service.pid]);
    const rss = sampleRss(runtime);
    const random = seededRandom(concurrency);
    let backlogAtWindowEnd = 0;
    let metricsAtStart: Promise<MetricsSnapshot | undefined> | undefined;
    let metricsAtEnd: Promise<MetricsSnapshot | undefined> | undefined;
    follower.start();
    try {
      const loop = await runClosedLoop({
        concurrency,
        warmupMs: profile.warmupMs,
        durationMs: profile.durationMs,
        onWindowStart: () => {
          tracker.window.start = now();
          cpu.open();
          // A failed scrape only loses these diagnostics; never an unhandled rejection.
          metricsAtStart = scrapeMetrics(runtime.url).catch(() => undefined);
        },
        onWindowEnd: () => {
          tracker.window.end = now();
          cpu.close();
          backlogAtWindowEnd = tracker.acceptedOfWindow - tracker.egressedOfWindow;
          metricsAtEnd = scrapeMetrics(runtime.url).catch(() => undefined);
        },
        operation: async () => {
          const sentAt = now();
          const seq = tracker.register(sentAt);
          const key = `k${Math.floor(random() * COUNTER_KEYS)}`;
          const outcome = await postIngress(
            pool,
            COUNTER_TYPE,
            key,
            INCREMENT_TYPENAME,
            JSON.stringify({ seq, sentAt }),
          );
          tracker.acknowledge(seq, outcome === 'ok');
          return outcome;
        },
      });
      const drainDeadline = now() + profile.drainMs;
      while (!tracker.isWindowDrained && now() < drainDeadline && follower.error === undefined)
        await sleep(20);
      if (follower.error !== undefined) throw follower.error;
      const undrained = tracker.closeUnseen(now());
      const windowSeconds = (tracker.window.end - tracker.window.start) / 1000;
      const e2ePerSecond = tracker.egressedInWindow / windowSeconds;
      const perMessage = (seconds: number): number => (seconds * 1e6) / tracker.egressedInWindow;
      return {
        concurrency,
        ackPerSecond: loop.perSecond,
        ack: loop.latency.summary(),
        e2ePerSecond,
        e2e: tracker.e2e.summary(),
        undrained,
        backlogAtWindowEnd,
        rejected: loop.rejected,
        errors: loop.errors,
        firstError: loop.firstError,
        duplicates: tracker.duplicates,
        runtimeCpuUsPerMessage: perMessage(cpu.seconds(0)),
        serviceCpuUsPerMessage: perMessage(cpu.seconds(1)),
        runtimeRssMaxMB: toMB(rss.stop()),
        activity: activityBetween(await metricsAtStart, await metricsAtEnd),
      };
    } finally {
      rss.stop();
      await follower.stop();
      await pool.close();
    }
  });
}
