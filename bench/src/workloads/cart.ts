/**
 * cart: the shopping-cart flow (AddToCart → cart → inventory → cart → egress, three invocations per event)
 * at a fixed concurrency. Each worker owns its carts and has one event in flight: an event ends when its
 * `example/cart-results` record arrives, so the loop is closed end to end.
 */
import { seededRandom } from '@statehouse/testkit';
import { Pool } from 'undici';

import { EgressFollower } from '../egress-follower.js';
import { LatencyHistogram, type LatencySummary } from '../histogram.js';
import { now, runClosedLoop } from '../load.js';
import { CART } from '../names.js';
import type { ServiceHandle } from '../processes.js';
import type { Profile } from '../profile.js';
import { CpuWindow, postIngress, sampleRss, toMB, withRuntime } from './session.js';

/** Items in the inventory. */
export const CART_ITEMS = 100;
/** Carts per worker. */
const CARTS_PER_WORKER = 16;
/** An event whose record has not arrived after this long fails. */
const EVENT_TIMEOUT_MS = 30_000;

/** What one cart run measured. */
export interface CartResult {
  readonly concurrency: number;
  readonly eventsPerSecond: number;
  /** Ingress POST → its result record arrived (includes the long poll). */
  readonly e2e: LatencySummary;
  readonly ack: LatencySummary;
  readonly reserved: number;
  readonly unavailable: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly runtimeCpuUsPerEvent: number;
  readonly serviceCpuUsPerEvent: number;
  readonly runtimeRssMaxMB: number;
}

/**
 * Runs the cart workload on a fresh runtime: restocks every item, then the closed loop.
 *
 * @param service - the running function service.
 * @param profile - durations.
 * @param concurrency - events in flight.
 * @returns the measurements.
 */
export async function runCart(
  service: ServiceHandle,
  profile: Profile,
  concurrency: number,
): Promise<CartResult> {
  return withRuntime(service, async (runtime) => {
    const waiting = new Map<string, () => void>();
    let reserved = 0;
    let unavailable = 0;
    const follower = new EgressFollower(runtime.url, CART.egress, (records) => {
      for (const r of records) {
        const result = r.json as { userId: string; success: boolean } | undefined;
        if (result === undefined) continue;
        if (result.success) reserved += 1;
        else unavailable += 1;
        const done = waiting.get(result.userId);
        waiting.delete(result.userId);
        done?.();
      }
    });
    const pool = new Pool(runtime.url, { connections: concurrency, keepAliveTimeout: 60_000 });
    const cpu = new CpuWindow([runtime.pid, service.pid]);
    const rss = sampleRss(runtime);
    const ack = new LatencyHistogram();
    const random = seededRandom(7);
    const turns = new Array<number>(concurrency).fill(0);
    follower.start();
    try {
      for (let i = 0; i < CART_ITEMS; i++) {
        const itemId = `item-${i}`;
        await postIngress(
          pool,
          CART.inventoryType,
          itemId,
          CART.restock,
          JSON.stringify({ itemId, quantity: 1_000_000_000 }),
        );
      }
      const loop = await runClosedLoop({
        concurrency,
        warmupMs: profile.warmupMs,
        durationMs: profile.durationMs,
        onWindowStart: () => cpu.open(),
        onWindowEnd: () => cpu.close(),
        operation: async (worker, isMeasured) => {
          const userId = `w${worker}-u${turns[worker]!++ % CARTS_PER_WORKER}`;
          const itemId = `item-${Math.floor(random() * CART_ITEMS)}`;
          let timer: NodeJS.Timeout | undefined;
          const arrived = new Promise<void>((resolve, reject) => {
            waiting.set(userId, resolve);
            timer = setTimeout(
              () => reject(new Error(`no cart result for ${userId} after ${EVENT_TIMEOUT_MS} ms`)),
              EVENT_TIMEOUT_MS,
            );
          });
          try {
            const sent = now();
            const outcome = await postIngress(
              pool,
              CART.cartType,
              userId,
              CART.addToCart,
              JSON.stringify({ userId, itemId, quantity: 1 }),
            );
            if (outcome !== 'ok') {
              waiting.delete(userId);
              return outcome;
            }
            if (isMeasured) ack.record(now() - sent);
            await arrived;
            return 'ok';
          } finally {
            clearTimeout(timer);
            waiting.delete(userId);
          }
        },
      });
      if (follower.error !== undefined) throw follower.error;
      const perEvent = (seconds: number): number => (seconds * 1e6) / loop.completed;
      return {
        concurrency,
        eventsPerSecond: loop.perSecond,
        e2e: loop.latency.summary(),
        ack: ack.summary(),
        reserved,
        unavailable,
        errors: loop.errors,
        firstError: loop.firstError,
        runtimeCpuUsPerEvent: perEvent(cpu.seconds(0)),
        serviceCpuUsPerEvent: perEvent(cpu.seconds(1)),
        runtimeRssMaxMB: toMB(rss.stop()),
      };
    } finally {
      rss.stop();
      await follower.stop();
      await pool.close();
    }
  });
}
