/**
 * single key, sequential: one message at a time to one address; the next is sent once the previous one's
 * egress record arrived. Measures ingress-ack latency and end-to-end latency (including the long poll).
 */
import { Pool } from 'undici';

import { EgressFollower } from '../egress-follower.js';
import { LatencyHistogram, type LatencySummary } from '../histogram.js';
import { now, runClosedLoop } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import type { ServiceHandle } from '../processes.js';
import type { Profile } from '../profile.js';
import { postIngress, withRuntime } from './session.js';
import { trackCounterEgress } from './counter.js';

/** A message whose record has not arrived after this long fails the run. */
const MESSAGE_TIMEOUT_MS = 10_000;

/** What one sequential run measured. */
export interface SequentialResult {
  readonly messages: number;
  readonly perSecond: number;
  readonly ack: LatencySummary;
  readonly e2e: LatencySummary;
  readonly errors: number;
  readonly firstError: string | undefined;
}

/**
 * Runs the sequential single-key workload on a fresh runtime.
 *
 * @param service - the running function service.
 * @param profile - durations.
 * @returns the measurements.
 */
export async function runSequential(service: ServiceHandle, profile: Profile): Promise<SequentialResult> {
  return withRuntime(service, async (runtime) => {
    const tracker = new MessageTracker();
    const follower = new EgressFollower(runtime.url, COUNTER_EGRESS, trackCounterEgress(tracker));
    const pool = new Pool(runtime.url, { connections: 1, keepAliveTimeout: 60_000 });
    const ack = new LatencyHistogram();
    follower.start();
    try {
      const loop = await runClosedLoop({
        concurrency: 1,
        warmupMs: profile.sequentialWarmupMs,
        durationMs: profile.sequentialDurationMs,
        operation: async (_worker, isMeasured) => {
          const sentAt = now();
          const seq = tracker.register(sentAt);
          const arrived = tracker.waitFor(seq);
          const outcome = await postIngress(
            pool,
            COUNTER_TYPE,
            'solo',
            INCREMENT_TYPENAME,
            JSON.stringify({ seq, sentAt }),
          );
          tracker.acknowledge(seq, outcome === 'ok');
          if (outcome !== 'ok') return outcome;
          if (isMeasured) ack.record(now() - sentAt);
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no record for message ${seq} after ${MESSAGE_TIMEOUT_MS} ms`)),
              MESSAGE_TIMEOUT_MS,
            );
          });
          try {
            await Promise.race([arrived, timeout]);
          } finally {
            clearTimeout(timer);
          }
          return 'ok';
        },
      });
      if (follower.error !== undefined) throw follower.error;
      return {
        messages: loop.completed,
        perSecond: loop.perSecond,
        ack: ack.summary(),
        e2e: loop.latency.summary(),
        errors: loop.errors,
        firstError: loop.firstError,
      };
    } finally {
      await follower.stop();
      await pool.close();
    }
  });
}
