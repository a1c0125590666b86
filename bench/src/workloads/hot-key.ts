/**
 * hot key: a fixed number of messages to one address at concurrency 64, as fast as the ingress takes them.
 * One address runs one batch at a time, so throughput depends on how many messages each batch carries;
 * the mean batch size comes from `statehouse_invocation_batch_size` on /metrics.
 */
import { Pool } from 'undici';

import { EgressFollower } from '../egress-follower.js';
import type { LatencySummary } from '../histogram.js';
import { now, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import type { ServiceHandle } from '../processes.js';
import { CpuWindow, postIngress, sampleRss, toMB, withRuntime } from './session.js';
import { trackCounterEgress } from './counter.js';
import { activityBetween, scrapeMetrics, type RuntimeActivity } from './runtime-metrics.js';

/** The one id every message goes to. */
const HOT_ID = 'hot';
/** Give up waiting for the last record after this long. */
const HOT_KEY_TIMEOUT_MS = 120_000;

/** What one hot-key run measured. */
export interface HotKeyResult {
  readonly messages: number;
  readonly concurrency: number;
  /** Messages ÷ (last record arrived − first message sent). */
  readonly e2ePerSecond: number;
  /** Messages ÷ (last ingress ack − first message sent). */
  readonly ackPerSecond: number;
  readonly e2e: LatencySummary;
  readonly meanBatchSize: number;
  /** Batches, commits and commit sizes over the run. */
  readonly activity: RuntimeActivity;
  readonly undrained: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly runtimeCpuUsPerMessage: number;
  readonly runtimeRssMaxMB: number;
}

/**
 * Sends `messages` messages to one address and waits for all of their records.
 *
 * @param service - the running function service.
 * @param messages - how many.
 * @param concurrency - requests in flight.
 * @returns the measurements.
 */
export async function runHotKey(
  service: ServiceHandle,
  messages: number,
  concurrency: number,
): Promise<HotKeyResult> {
  return withRuntime(service, async (runtime) => {
    const tracker = new MessageTracker();
    const follower = new EgressFollower(runtime.url, COUNTER_EGRESS, trackCounterEgress(tracker));
    const pool = new Pool(runtime.url, { connections: concurrency, keepAliveTimeout: 60_000 });
    const cpu = new CpuWindow([runtime.pid]);
    const rss = sampleRss(runtime);
    follower.start();
    try {
      const before = await scrapeMetrics(runtime.url);
      let sent = 0;
      let rejected = 0;
      let lastAck = 0;
      const started = now();
      tracker.window.start = started;
      tracker.window.end = Number.POSITIVE_INFINITY;
      cpu.open();
      const worker = async (): Promise<void> => {
        while (sent < messages) {
          sent += 1;
          for (;;) {
            const sentAt = now();
            const seq = tracker.register(sentAt);
            const outcome = await postIngress(
              pool,
              COUNTER_TYPE,
              HOT_ID,
              INCREMENT_TYPENAME,
              JSON.stringify({ seq, sentAt }),
            );
            tracker.acknowledge(seq, outcome === 'ok');
            if (outcome === 'ok') break;
            rejected += 1;
            await sleep(5);
          }
          lastAck = now();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, () => worker()));
      const deadline = now() + HOT_KEY_TIMEOUT_MS;
      while (!tracker.isWindowDrained && now() < deadline && follower.error === undefined) await sleep(10);
      cpu.close();
      if (follower.error !== undefined) throw follower.error;
      const undrained = tracker.closeUnseen(now());
      const activity = activityBetween(before, await scrapeMetrics(runtime.url));
      return {
        messages,
        concurrency,
        e2ePerSecond: tracker.egressed / ((tracker.lastEgressAt - started) / 1000),
        ackPerSecond: messages / ((lastAck - started) / 1000),
        e2e: tracker.e2e.summary(),
        meanBatchSize: activity.meanBatchSize,
        activity,
        undrained,
        rejected,
        duplicates: tracker.duplicates,
        runtimeCpuUsPerMessage: (cpu.seconds(0) * 1e6) / tracker.egressed,
        runtimeRssMaxMB: toMB(rss.stop()),
      };
    } finally {
      rss.stop();
      await follower.stop();
      await pool.close();
    }
  });
}
