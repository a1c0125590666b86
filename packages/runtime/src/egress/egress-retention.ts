/**
 * Egress retention: deletes records that a log egress no longer keeps (older than `maxAge`, beyond
 * `maxRecords`) and records a webhook egress delivered more than a grace period ago, in bounded batches, off
 * the hot path. Records of a webhook egress that retention deletes before they were delivered are skipped
 * visibly (a warning and a metric); nothing else is dropped.
 */
import type { Logger } from 'pino';
import type { EgressConfig } from '../config/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

/** Observes retention (metrics). */
export interface RetentionObserver {
  onTrimmed(egressId: string, records: number): void;
  onSkippedUndelivered(egressId: string, records: number): void;
}

/** Collaborators of {@link EgressRetention}. */
export interface EgressRetentionDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly observer?: RetentionObserver;
  /** Whether this process does the work (cluster mode: one process does). @default always */
  readonly isPruner?: () => boolean;
  /** Record ages are measured on it (tests inject one). @default systemClock */
  readonly clock?: Clock;
}

/** Settings of {@link EgressRetention}. */
export interface EgressRetentionOptions {
  readonly egresses: readonly EgressConfig[];
  /** Records deleted per transaction. @default 5000 */
  readonly batchRows?: number;
}

/** Applies the retention of every configured egress. */
export class EgressRetention {
  readonly #store: Store;
  readonly #egresses: readonly EgressConfig[];
  readonly #log: Logger;
  readonly #observer: RetentionObserver | undefined;
  readonly #clock: Clock;
  readonly #batchRows: number;
  readonly #isPruner: () => boolean;
  readonly #trimmedBefore = new Set<string>();

  constructor(deps: EgressRetentionDeps, options: EgressRetentionOptions) {
    this.#store = deps.store;
    this.#egresses = options.egresses;
    this.#log = deps.log.child({ component: 'egress-retention' });
    this.#observer = deps.observer;
    this.#clock = deps.clock ?? systemClock;
    this.#batchRows = options.batchRows ?? 5_000;
    this.#isPruner = deps.isPruner ?? (() => true);
  }

  /**
   * Trims every egress once, in batches of `batchRows` (other work runs between batches).
   *
   * @returns records deleted, by egress id.
   */
  async runOnce(): Promise<Map<string, number>> {
    const deleted = new Map<string, number>();
    if (!this.#isPruner()) return deleted;
    for (const egress of this.#egresses) {
      const target = await this.#trimPoint(egress);
      let total = 0;
      for (;;) {
        const n = await this.#store.trimEgress(egress.id, target, this.#batchRows);
        total += n;
        if (n < this.#batchRows) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (total > 0) {
        deleted.set(egress.id, total);
        this.#observer?.onTrimmed(egress.id, total);
        // Said once per egress and process at info (the first trim may delete records kept before retention
        // existed); then at debug, as it happens every round under load.
        const isFirst = !this.#trimmedBefore.has(egress.id);
        this.#trimmedBefore.add(egress.id);
        this.#log[isFirst ? 'info' : 'debug'](
          {
            egressId: egress.id,
            deleted: total,
            firstOffset: target,
            retention: 'retention' in egress ? egress.retention : 'until shipped',
          },
          'egress records deleted by retention',
        );
      }
    }
    return deleted;
  }

  /** The offset below which `egress` keeps nothing. */
  async #trimPoint(egress: EgressConfig): Promise<number> {
    // A connector egress keeps its records until they are shipped, and no longer: nobody else reads them.
    if (egress.kind !== 'log' && egress.kind !== 'http') return this.#store.readEgressCursor(egress.id);
    const { maxAgeMs, maxRecords } = egress.retention;
    const range = await this.#store.readEgressRange(egress.id);
    // Limits that drop records whether or not anyone read or received them.
    let limit = range.firstOffset;
    if (maxRecords !== undefined) limit = Math.max(limit, range.nextOffset - maxRecords);
    if (maxAgeMs !== undefined)
      limit = Math.max(
        limit,
        await this.#store.findEgressOffsetSince(egress.id, this.#clock.now() - maxAgeMs),
      );
    if (egress.kind === 'log') return limit;

    // A webhook egress also drops what was delivered more than the grace period ago.
    const cursor = await this.#store.readEgressCursor(egress.id);
    const graceStart = await this.#store.findEgressOffsetSince(
      egress.id,
      this.#clock.now() - egress.retention.deliveredGraceMs,
    );
    const delivered = Math.min(cursor, graceStart);
    if (limit > cursor) {
      // Retention limits reach records not delivered yet: skip them, visibly, so the shipper moves on.
      const skipped = limit - Math.max(cursor, range.firstOffset);
      await this.#store.writeEgressCursor(egress.id, limit);
      this.#observer?.onSkippedUndelivered(egress.id, skipped);
      this.#log.warn(
        { egressId: egress.id, skipped, from: cursor, to: limit, url: egress.url },
        'webhook records were deleted by retention before they could be delivered; raise retention or fix the webhook',
      );
    }
    return Math.max(limit, delivered);
  }
}
