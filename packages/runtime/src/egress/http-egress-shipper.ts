/**
 * Ships the records of `io.statehouse.egress.v1/http` egresses to their webhook, in offset order,
 * at-least-once: a batch is POSTed until the webhook answers 2xx, then the egress's cursor is stored. Every
 * record carries a stable id (`<egress id>/<offset>`), so an idempotent consumer sees each exactly once.
 */
import type { Logger } from 'pino';
import { request } from 'undici';
import { toApiValue } from '../core/value-json.js';
import type { Clock } from '../core/clock.js';
import { EgressWaiters } from './egress-waiters.js';
import type { Store } from '../store/store.js';
import { backoffDelay } from '../invoke/retry-policy.js';

/** One configured webhook egress. */
export interface WebhookEgress {
  readonly id: string;
  readonly url: string;
}

/** Settings of the shipper. */
/** Collaborators of the shipper. */
export interface HttpEgressShipperDeps {
  readonly store: Store;
  /** The webhook egresses to deliver. */
  readonly egresses: readonly WebhookEgress[];
  readonly log: Logger;
  /** Sets the timeouts of the loops' waits. */
  readonly clock: Clock;
  readonly observer?: ShipperObserver;
}

export interface HttpEgressShipperOptions {
  /** Records per POST. @default 100 */
  readonly batchSize?: number;
  /** Per-request timeout, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Largest backoff between failed deliveries, ms. @default 30000 */
  readonly maxBackoffMs?: number;
  /** Whether this process should ship now (cluster mode: only one process does). @default always */
  readonly isShipper?: () => boolean;
}

/** Observes deliveries (metrics). */
export interface ShipperObserver {
  onDelivered(egressId: string, records: number): void;
  onFailed(egressId: string): void;
}

/** Delivers webhook egresses. */
export class HttpEgressShipper {
  readonly #store: Store;
  readonly #egresses: readonly WebhookEgress[];
  readonly #log: Logger;
  readonly #observer: ShipperObserver | undefined;
  readonly #batchSize: number;
  readonly #timeoutMs: number;
  readonly #maxBackoffMs: number;
  readonly #isShipper: () => boolean;
  // The same wake-up mechanism as long-polling readers: a loop waits for its egress's next commit or a timeout.
  readonly #wakers: EgressWaiters;
  readonly #loops: Promise<void>[] = [];
  readonly #abort = new AbortController();

  constructor(deps: HttpEgressShipperDeps, options: HttpEgressShipperOptions = {}) {
    this.#store = deps.store;
    this.#egresses = deps.egresses;
    this.#log = deps.log.child({ component: 'http-egress' });
    this.#observer = deps.observer;
    this.#wakers = new EgressWaiters({ clock: deps.clock });
    this.#batchSize = options.batchSize ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#isShipper = options.isShipper ?? (() => true);
  }

  /** Starts one delivery loop per egress. */
  start(): void {
    for (const egress of this.#egresses) {
      this.#loops.push(
        this.#run(egress).catch((err: unknown) =>
          this.#log.error({ err, egressId: egress.id }, 'egress delivery loop stopped unexpectedly'),
        ),
      );
    }
  }

  /** Wakes the loop of an egress that got committed records. */
  notify(egressId: string): void {
    this.#wakers.notify(egressId);
  }

  /** Stops delivering (a batch in flight is abandoned and delivered again later). */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#wakers.releaseAll();
    await Promise.allSettled(this.#loops);
  }

  async #run(egress: WebhookEgress): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let delivered = false;
      // Wait from before the read: records committed between the read and the wait would otherwise wait 1 s.
      const idle = this.#wakers.subscribe(egress.id, 1_000);
      try {
        if (this.#isShipper()) delivered = await this.#deliverOnce(egress, signal);
        failures = 0;
      } catch (err) {
        idle.cancel();
        if (signal.aborted) return;
        failures += 1;
        this.#observer?.onFailed(egress.id);
        this.#log.warn(
          { err, egressId: egress.id, url: egress.url, failures },
          'egress delivery failed; retrying',
        );
        await this.#wakers.wait(egress.id, backoffDelay(failures, this.#maxBackoffMs, { initialMs: 100 }));
        continue;
      }
      if (delivered) idle.cancel();
      await idle.done;
    }
  }

  /** @returns whether records were delivered (so that the next batch is tried at once). */
  async #deliverOnce(egress: WebhookEgress, signal: AbortSignal): Promise<boolean> {
    const from = await this.#store.readEgressCursor(egress.id);
    const records = await this.#store.readEgress(egress.id, from, this.#batchSize);
    if (records.length === 0) return false;
    const body = JSON.stringify({
      egress: egress.id,
      records: records.map((r) => ({
        id: `${egress.id}/${r.offset}`,
        offset: r.offset,
        ...toApiValue(r.value),
      })),
    });
    const last = records[records.length - 1]!.offset;
    const res = await request(egress.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${egress.id}/${from}-${last}` },
      body,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      signal,
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new Error(`${egress.url} answered HTTP ${res.statusCode}`);
    }
    await this.#store.writeEgressCursor(egress.id, last + 1);
    this.#observer?.onDelivered(egress.id, records.length);
    return true;
  }
}
