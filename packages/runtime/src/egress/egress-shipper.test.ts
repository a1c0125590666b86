/**
 * The egress shipper on a real SQLite store, with sinks of the test's own (the plugin interface `EgressSink`):
 * an egress is shipped on from where this process got (for a sink that holds its own position, a transactional
 * Kafka egress, from that position), not from a store cursor that a previous shipper of a cluster may still
 * overwrite with an older offset; and a process handing the lead over can wait for the delivery under way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@statehouse/testkit';
import { KEY_GROUP_HASH } from '../core/address.js';
import { ManualClock, systemClock, type Clock } from '../core/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { EMPTY_COMMIT_BATCH, type EgressRecord } from '../store/store.js';
import { EgressShipper, type EgressSink } from './egress-shipper.js';

const EGRESS = 'test/out';

/** A sink that records what it was handed, optionally holding each delivery until released. */
class RecordingSink implements EgressSink {
  readonly id = EGRESS;
  readonly target = 'memory';
  readonly delivered: number[] = [];
  /** Recoveries asked, with the cursor the store held. */
  readonly recoveries: number[] = [];
  held: Promise<void> | undefined;
  /** Deliveries begun (also those still held). */
  started = 0;
  #position: number;

  constructor(position: number) {
    this.#position = position;
  }

  async deliver(records: readonly EgressRecord[], signal: AbortSignal): Promise<void> {
    this.started += 1;
    if (this.held !== undefined) {
      const aborted = new Promise<void>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
      await Promise.race([this.held, aborted]);
    }
    this.delivered.push(...records.map((r) => r.offset));
    this.#position = records[records.length - 1]!.offset + 1;
  }

  recover(cursor: number): Promise<number> {
    this.recoveries.push(cursor);
    return Promise.resolve(this.#position);
  }
}

describe('EgressShipper', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function openStore(): Promise<SqliteStore> {
    const dir = mkdtempSync(join(tmpdir(), 'egress-shipper-'));
    const store = new SqliteStore({ path: dir });
    await store.open({ keyGroups: 16, hash: KEY_GROUP_HASH });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    return store;
  }

  const append = (store: SqliteStore, from: number, count: number) =>
    store.commit({
      ...EMPTY_COMMIT_BATCH,
      egress: Array.from({ length: count }, (_, i) => ({
        egressId: EGRESS,
        offset: from + i,
        producer: { type: 'test/fn', id: 'x' },
        value: { typename: 'test/Record', value: Buffer.from([i]) },
        createdAt: 1_000 + from + i,
      })),
    });

  function startShipper(store: SqliteStore, sink: EgressSink, clock: Clock = systemClock): EgressShipper {
    const shipper = new EgressShipper(
      { store, sinks: [sink], log: pino({ level: 'silent' }), clock },
      { batchSize: 10 },
    );
    shipper.start();
    cleanups.push(() => shipper.close());
    return shipper;
  }

  it.each([
    ['a sink that holds its own position', true],
    ['a plain sink', false],
  ])('ships %s on from where it got when the store cursor is moved back under it', async (_, recovers) => {
    const store = await openStore();
    await append(store, 0, 10);
    const recording = new RecordingSink(0);
    const sink: EgressSink = recovers
      ? recording
      : { id: EGRESS, target: 'memory', deliver: (records, signal) => recording.deliver(records, signal) };
    const shipper = startShipper(store, sink);
    await waitFor('10 records delivered', () => recording.delivered.length === 10, {
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    // A previous shipper of a cluster, resumed late, writes the older cursor it had reached.
    await store.writeEgressCursor(EGRESS, 4);
    await append(store, 10, 5);
    shipper.notify(EGRESS);
    await waitFor('15 records delivered', () => recording.delivered.length >= 15, {
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    // One more record: had the shipper gone back to the older cursor, it would come after repeats of 4-14.
    await append(store, 15, 1);
    shipper.notify(EGRESS);
    await waitFor('record 15 delivered', () => recording.delivered.includes(15), {
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    expect(recording.delivered).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(recording.recoveries).toEqual(recovers ? [0] : []);
    expect(await store.readEgressCursor(EGRESS)).toBe(16);
  });

  it('lets a process handing the lead over wait for the delivery under way, at most for the timeout', async () => {
    const store = await openStore();
    const sink = new RecordingSink(0);
    let release!: () => void;
    sink.held = new Promise((r) => (release = r));
    // Time stands still unless the test moves it: settle can end only by the delivery ending, or by its timeout.
    const clock = new ManualClock(Date.now());
    const shipper = startShipper(store, sink, clock);
    await append(store, 0, 3);
    shipper.notify(EGRESS);
    await waitFor('a delivery under way', () => sink.started === 1, { timeoutMs: 5_000, intervalMs: 5 });
    let settled = false;
    const settling = shipper.settle(10_000).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await settling;
    expect(sink.delivered).toEqual([0, 1, 2]);

    // A delivery that never ends is waited for only up to the timeout.
    sink.held = new Promise(() => undefined);
    await append(store, 3, 1);
    shipper.notify(EGRESS);
    await waitFor('the second delivery under way', () => sink.started === 2, {
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    const timedOut = shipper.settle(200);
    clock.advance(200);
    await timedOut;
    expect(sink.delivered).toEqual([0, 1, 2]);
  });
});
