/**
 * Ships the records of egresses that leave the process — webhooks (`io.statehouse.egress.v1/http`, see
 * `webhook-sink.ts`) and connector egresses such as Kafka — to their sink, in offset order, at-least-once: a
 * batch is handed to the sink until it resolves, then the egress's cursor is stored. Every record carries a stable
 * id (`<egress id>/<offset>`), so an idempotent consumer sees each exactly once.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import { EgressWaiters } from './egress-waiters.js';
import type { EgressRecord, Store } from '../store/store.js';
import { backoffDelay } from '../invoke/retry-policy.js';
import type { Tracing } from '../tracing/tracing.js';

/** How long a process handing the shipping over waits for its deliveries under way, ms. */
const SETTLE_TIMEOUT_MS = 10_000;

/** Where the records of one egress go. */
export interface EgressSink {
  /** The egress id. */
  readonly id: string;
  /** A description for log lines (a URL, a broker list). */
  readonly target: string;
  /** Records per delivery, when the sink wants other than the shipper's `batchSize`. */
  readonly batchSize?: number;
  /**
   * Delivers records in offset order; resolves once they are delivered (then the cursor moves past them).
   * @throws when not delivered: the same records are handed again after a backoff.
   */
  deliver(records: readonly EgressRecord[], signal: AbortSignal): Promise<void>;
  /**
   * For a sink that knows itself what it has delivered (a transactional Kafka egress): the offset it has delivered
   * up to, asked before the first delivery and again after every failure (a delivery that failed may have
   * landed). The shipper stores it as the egress's cursor, so the store's cursor is only a copy of the sink's.
   *
   * @param cursor - the cursor the store holds.
   * @param recordAt - reads the egress record at an offset from the store (`undefined` when there is none), to
   *   tell a position written for this store's log from one written for another (a data directory started
   *   afresh against the same topics).
   */
  recover?(cursor: number, recordAt: (offset: number) => Promise<EgressRecord | undefined>): Promise<number>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** Collaborators of the shipper. */
export interface EgressShipperDeps {
  readonly store: Store;
  /** The egresses to deliver, each with its sink. */
  readonly sinks: readonly EgressSink[];
  readonly log: Logger;
  /** Sets the timeouts of the loops' waits. */
  readonly clock: Clock;
  readonly observer?: ShipperObserver;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing?: Tracing | undefined;
}

/** Settings of the shipper. */
export interface EgressShipperOptions {
  /** Records per delivery. @default 100 */
  readonly batchSize?: number;
  /** Largest backoff between failed deliveries, ms. @default 30000 */
  readonly maxBackoffMs?: number;
  /** Whether this process should ship now (cluster mode: only one process does). @default always */
  readonly isShipper?: () => boolean;
}

/** Where shipping an egress stands, as `GET /v1/connectors` shows it. */
export interface EgressShippingStatus {
  readonly id: string;
  /** Where it ships to (a URL, a broker list). */
  readonly target: string;
  /**
   * `shipping` while delivering or caught up, `retrying` after a failed delivery (with `lastError`), `standby` in a
   * process that is not the cluster's shipper, `stopped` once closed.
   */
  readonly state: 'shipping' | 'retrying' | 'standby' | 'stopped';
  readonly lastError?: string;
  /** The offset of the next record to ship (everything below it was delivered). */
  readonly shipped: number;
  /** The offset the next committed record gets. */
  readonly head: number;
  /** Records committed and not yet delivered (`head − shipped`). */
  readonly lag: number;
}

/** Observes deliveries (metrics). */
export interface ShipperObserver {
  onDelivered(egressId: string, records: number): void;
  onFailed(egressId: string): void;
}

/** Delivers egresses to their sinks. */
export class EgressShipper {
  readonly #store: Store;
  readonly #sinks: readonly EgressSink[];
  readonly #log: Logger;
  readonly #observer: ShipperObserver | undefined;
  readonly #tracing: Tracing | undefined;
  readonly #batchSize: number;
  readonly #maxBackoffMs: number;
  readonly #isShipper: () => boolean;
  readonly #clock: Clock;
  // The same wake-up mechanism as long-polling readers: a loop waits for its egress's next commit or a timeout.
  readonly #wakers: EgressWaiters;
  readonly #loops: Promise<void>[] = [];
  readonly #abort = new AbortController();
  /** The last failure of each egress's loop, until a delivery succeeds. */
  readonly #lastErrors = new Map<string, string>();
  /**
   * How far each egress was delivered, kept here while this process ships, since its last failure (for a sink that
   * holds its own position, see {@link EgressSink.recover}, since it was recovered). The store's cursor is a copy
   * that may be behind: in a cluster, a process that shipped before this one may still write an older offset into it
   * after this one took over.
   */
  readonly #positions = new Map<string, number>();
  /** Deliveries under way, so that a process handing the shipping over can wait for them. */
  readonly #inFlight = new Set<Promise<boolean>>();

  constructor(deps: EgressShipperDeps, options: EgressShipperOptions = {}) {
    this.#store = deps.store;
    this.#sinks = deps.sinks;
    this.#log = deps.log.child({ component: 'egress-shipper' });
    this.#observer = deps.observer;
    this.#tracing = deps.tracing;
    this.#clock = deps.clock;
    this.#wakers = new EgressWaiters({ clock: deps.clock });
    this.#batchSize = options.batchSize ?? 100;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#isShipper = options.isShipper ?? (() => true);
  }

  /** Starts one delivery loop per egress. */
  start(): void {
    for (const sink of this.#sinks) {
      this.#loops.push(
        this.#run(sink).catch((err: unknown) =>
          this.#log.error({ err, egressId: sink.id }, 'egress delivery loop stopped unexpectedly'),
        ),
      );
    }
  }

  /** Wakes the loop of an egress that got committed records. */
  notify(egressId: string): void {
    this.#wakers.notify(egressId);
  }

  /** Where each egress's shipping stands, read from the store now. */
  async status(): Promise<EgressShippingStatus[]> {
    return Promise.all(
      this.#sinks.map(async (sink): Promise<EgressShippingStatus> => {
        const [range, shipped] = await Promise.all([
          this.#store.readEgressRange(sink.id),
          this.#shippedUpTo(sink.id),
        ]);
        const lastError = this.#lastErrors.get(sink.id);
        const state = this.#abort.signal.aborted
          ? 'stopped'
          : lastError !== undefined
            ? 'retrying'
            : this.#isShipper()
              ? 'shipping'
              : 'standby';
        const head = Math.max(range.nextOffset, shipped);
        return {
          id: sink.id,
          target: sink.target,
          state,
          ...(lastError === undefined ? {} : { lastError }),
          shipped,
          head,
          lag: head - shipped,
        };
      }),
    );
  }

  /**
   * Resolves once no delivery is under way, or after `timeoutMs`. A cluster process that hands the lead over calls
   * it after it stopped being the shipper (no new delivery starts), so the next shipper does not overlap with this
   * one's last batch. A delivery that outlasts the wait (brokers that stopped answering) is left to the sink's own
   * fencing (a transactional Kafka producer is fenced by the next shipper's).
   */
  async settle(timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    if (this.#inFlight.size === 0) return;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), timeout]);
    this.#clock.clearTimeout(timer!);
  }

  /** Stops delivering (a batch in flight is abandoned and delivered again later). */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#wakers.releaseAll();
    await Promise.allSettled(this.#loops);
    await Promise.allSettled(this.#sinks.map((s) => s.close?.() ?? Promise.resolve()));
  }

  async #run(egress: EgressSink): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let delivered = false;
      // Wait from before the read: records committed between the read and the wait would otherwise wait 1 s.
      const idle = this.#wakers.subscribe(egress.id, 1_000);
      try {
        if (this.#isShipper()) delivered = await this.#tracked(this.#deliverOnce(egress, signal));
        // Another process may ship meanwhile: its position is recovered when this one ships again.
        else this.#positions.delete(egress.id);
        failures = 0;
        this.#lastErrors.delete(egress.id);
      } catch (err) {
        idle.cancel();
        this.#positions.delete(egress.id);
        if (signal.aborted) return;
        failures += 1;
        this.#lastErrors.set(egress.id, err instanceof Error ? err.message : String(err));
        this.#observer?.onFailed(egress.id);
        // The stack once per outage; the retries that follow say what failed in one line.
        const error = failures === 1 ? { err } : { error: this.#lastErrors.get(egress.id) };
        this.#log.warn(
          { ...error, egressId: egress.id, target: egress.target, failures },
          'egress delivery failed; retrying',
        );
        await this.#wakers.wait(egress.id, backoffDelay(failures, this.#maxBackoffMs, { initialMs: 100 }));
        continue;
      }
      if (delivered) idle.cancel();
      await idle.done;
    }
  }

  async #tracked(delivery: Promise<boolean>): Promise<boolean> {
    this.#inFlight.add(delivery);
    try {
      return await delivery;
    } finally {
      this.#inFlight.delete(delivery);
    }
  }

  /** @returns whether records were delivered (so that the next batch is tried at once). */
  async #deliverOnce(sink: EgressSink, signal: AbortSignal): Promise<boolean> {
    if (sink.recover !== undefined && !this.#positions.has(sink.id)) await this.#recover(sink);
    const from = await this.#shippedUpTo(sink.id);
    const records = await this.#store.readEgress(sink.id, from, sink.batchSize ?? this.#batchSize);
    if (records.length === 0) return false;
    const span = this.#tracing?.startEgressShipping(sink.id, records, records[0]!.offset);
    try {
      await sink.deliver(records, signal);
    } catch (err) {
      span?.fail(err);
      throw err;
    }
    span?.end();
    const next = records[records.length - 1]!.offset + 1;
    this.#positions.set(sink.id, next);
    await this.#store.writeEgressCursor(sink.id, next);
    this.#observer?.onDelivered(sink.id, records.length);
    return true;
  }

  /**
   * Where delivery goes on from: the larger of the position kept here and the store's cursor (a stale copy is never
   * larger than what was delivered; retention moves the cursor forward past records it deleted undelivered).
   */
  async #shippedUpTo(egressId: string): Promise<number> {
    const cursor = await this.#store.readEgressCursor(egressId);
    return Math.max(cursor, this.#positions.get(egressId) ?? cursor);
  }

  /** Stores the position the sink says it has delivered up to as the egress's cursor, and keeps it. */
  async #recover(sink: EgressSink): Promise<void> {
    const cursor = await this.#store.readEgressCursor(sink.id);
    const position = await sink.recover!(cursor, async (offset) => {
      const [record] = await this.#store.readEgress(sink.id, offset, 1);
      return record?.offset === offset ? record : undefined;
    });
    if (position !== cursor) {
      await this.#store.writeEgressCursor(sink.id, position);
      this.#log.info(
        { egressId: sink.id, storeCursor: cursor, position },
        'egress position recovered from its sink: the sink had delivered up to another offset than the store recorded',
      );
    }
    this.#positions.set(sink.id, position);
  }
}
