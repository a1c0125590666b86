/**
 * Delivery after a fault in a cluster: the delay (ingress 202 → the message's egress record readable) of
 * messages sent to 512 addresses, two in each of the 256 key groups, just before, during and right after a fault,
 * with no traffic at all after that burst, so only the runtime's own recovery (take-overs, rejoins, inbox
 * reloads) can wake a key group that is stuck. The promise checked: every accepted message is delivered within
 * the lease timeout + 2 s. The cluster workload (cluster.ts) starts the processes and injects the faults.
 *
 * First every address gets one message and the bench waits for all of them to come out, so the measured
 * messages do not pay for a cold start. Then the traffic is an open loop at a fixed rate, round-robin over the
 * processes that are not under the fault. It starts {@link BEFORE_MS} before the fault and lasts until the
 * lease timeout has passed since the fault started (so it covers the take-over) and {@link AFTER_MS} past the
 * end of the fault.
 */
import { DEFAULT_KEY_GROUPS, keyGroupOf } from '@statehouse/runtime';
import { Pool, request } from 'undici';

import { LatencyHistogram } from '../histogram.js';
import { now, sleep } from '../load.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME, type CounterEvent } from '../names.js';
import { postIngress, type IngressOutcome } from './session.js';

/** Slack of the promise on top of the lease timeout. */
export const BOUND_SLACK_MS = 2_000;
/** Traffic before the fault starts: every address gets a message in it. */
const BEFORE_MS = 2_000;
/** Traffic after the fault is over (and after the lease timeout, counted from the fault's start). */
const AFTER_MS = 2_000;
/** Ingress messages per second (open loop): each of the 512 addresses once every 2 s. */
const RATE_PER_SECOND = 256;
/** Warm-up requests in flight. */
const WARM_UP_CONCURRENCY = 32;
/** The warm-up messages must all come out within this long. */
const WARM_UP_TIMEOUT_MS = 30_000;
/** Requests in flight at most; a send due while this many are open is skipped (and counted). */
const MAX_IN_FLIGHT = 128;
/** Addresses per key group, so every key group gets messages in every phase. */
const IDS_PER_KEY_GROUP = 2;
/** How long the egress reads wait for a commit; bounds how late a record is seen if a wake-up is missed. */
const EGRESS_WAIT_MS = 100;
/** Each egress read gives up after this long and tries the next process. */
const EGRESS_READ_TIMEOUT_MS = 2_000;
/**
 * How long to wait past the bound for messages still missing: long enough to see the 30 s inbox sweep (the
 * last resort) deliver them, so a stuck key group shows as "delivered after ~30 s" rather than just missing.
 */
const EXTRA_WAIT_MS = 35_000;
/** Slowest messages kept for the report. */
const SLOWEST_KEPT = 10;

/** One of the slowest messages, for diagnosis. */
export interface SlowMessage {
  readonly seq: number;
  readonly id: string;
  readonly keyGroup: number;
  /** Index of the process that answered 202 (n1 = 0). */
  readonly acceptedBy: number;
  /** 202 time − fault start (negative: accepted before the fault). */
  readonly acceptedAfterFaultMs: number;
  /** 202 → record seen; `null` when it never was. */
  readonly delayMs: number | null;
}

/** What one fault run measured. */
export interface DeliveryResult {
  readonly fault: string;
  /** What was done, with the measured durations, e.g. `SIGSTOP n3 5.0 s, then SIGCONT`. */
  readonly description: string;
  readonly leaseMs: number;
  /** lease timeout + {@link BOUND_SLACK_MS}. */
  readonly boundMs: number;
  /** Ingress POSTs sent, answered 202, answered 503, failed (connection lost, other status). */
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly firstFailure: string | undefined;
  /** Sends skipped because {@link MAX_IN_FLIGHT} requests were open. */
  readonly skipped: number;
  /** Accepted messages whose egress record was read. */
  readonly delivered: number;
  /** Largest 202 → record delay; a lower bound (the wait's end) when some accepted message never arrived. */
  readonly worstMs: number;
  readonly isWorstLowerBound: boolean;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Every accepted message delivered and the worst delay within the bound. */
  readonly isMet: boolean;
  /** Fault start → fault over (killed / restarted and ready / SIGCONT / PostgreSQL accepting connections). */
  readonly faultMs: number;
  /** Largest time an accepted message still waited after the fault was over (or after its 202, if later). */
  readonly worstAfterFaultOverMs: number;
  /** Fault start → the last accepted message's record read. */
  readonly lastDeliveryAfterFaultMs: number;
  /** Records of messages whose POST failed (e.g. the process died before answering). */
  readonly deliveredUnacknowledged: number;
  /** Messages whose record was in the egress more than once. */
  readonly duplicates: number;
  readonly slowest: readonly SlowMessage[];
}

/** `IDS_PER_KEY_GROUP` ids in each key group of the counter, found by counting up. */
function idsOverAllKeyGroups(): string[] {
  const perGroup = new Map<number, number>();
  const ids: string[] = [];
  for (let n = 0; ids.length < DEFAULT_KEY_GROUPS * IDS_PER_KEY_GROUP; n++) {
    const id = `r${n}`;
    const group = keyGroupOf({ type: COUNTER_TYPE, id }, DEFAULT_KEY_GROUPS);
    const count = perGroup.get(group) ?? 0;
    if (count < IDS_PER_KEY_GROUP) {
      perGroup.set(group, count + 1);
      ids.push(id);
    }
  }
  return ids;
}

/** Per message: where it went, when it was accepted and when its record was read. */
interface Sent {
  readonly id: string;
  readonly node: number;
  acceptedAt: number;
  seenAt: number;
  /** The egress offset it was first read at (a second offset is a duplicate). */
  offset: number;
}

/**
 * Reads the counter egress from whichever listed process answers, from offset 0, until stopped. Not the
 * bench's EgressFollower: that one follows a single process and stops at the first error, while this one must
 * outlive a killed process and a database restart; and it waits only {@link EGRESS_WAIT_MS} per read, so a
 * wake-up lost in the fault delays what it sees by that much at most.
 */
class EgressPoller {
  readonly #readers: () => readonly string[];
  readonly #onRecord: (event: CounterEvent, offset: number, at: number) => void;
  #isStopped = false;
  #loop: Promise<void> | undefined;
  #next = 0;
  #reader = 0;

  constructor(
    readers: () => readonly string[],
    onRecord: (event: CounterEvent, offset: number, at: number) => void,
  ) {
    this.#readers = readers;
    this.#onRecord = onRecord;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#isStopped) {
      const urls = this.#readers();
      const url = urls[this.#reader % urls.length]!;
      try {
        const res = await request(
          `${url}/v1/egress/${COUNTER_EGRESS}?from=${this.#next}&limit=10000&wait=${EGRESS_WAIT_MS}`,
          // A fresh signal per read: one shared timeout would already have fired for the next read.
          { signal: AbortSignal.timeout(EGRESS_READ_TIMEOUT_MS) },
        );
        const text = await res.body.text();
        const at = now();
        if (res.statusCode !== 200) throw new Error(`egress read answered ${res.statusCode}`);
        const page = JSON.parse(text) as { records: { offset: number; json?: unknown }[]; next: number };
        for (const r of page.records) this.#onRecord(r.json as CounterEvent, r.offset, at);
        this.#next = page.next;
      } catch {
        // The process is gone or the database is down: try the next one shortly.
        this.#reader += 1;
        await sleep(50);
      }
    }
  }
}

/** The ingress side: a warm-up message to every address, then an open loop at a fixed rate until stopped. */
class Sender {
  readonly #targets: () => readonly number[];
  readonly #urlOf: (node: number) => string;
  readonly #pools = new Map<string, Pool>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly ids = idsOverAllKeyGroups();
  /** The measured messages, by seq. */
  readonly messages: Sent[] = [];
  #isStopped = false;
  #stopped: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #turn = 0;
  rejected = 0;
  failed = 0;
  skipped = 0;
  firstFailure: string | undefined;
  lastAcceptedAt = Number.NaN;

  /**
   * @param targets - the processes (by index) to send to now, round-robin.
   * @param urlOf - a process's current URL.
   */
  constructor(targets: () => readonly number[], urlOf: (node: number) => string) {
    this.#targets = targets;
    this.#urlOf = urlOf;
  }

  /** Sends one message to every address (seqs −1, −2, …, not measured), retrying until each gets a 202. */
  async warmUp(): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < this.ids.length; i = next++) {
        for (let attempt = 1; ; attempt++) {
          const outcome = await this.#post(this.#nextTarget(), this.ids[i]!, -(i + 1)).catch(() => 'failed');
          if (outcome === 'ok') break;
          if (attempt === 20) throw new Error(`the warm-up message to ${this.ids[i]} was not accepted`);
          await sleep(100);
        }
      }
    };
    await Promise.all(Array.from({ length: WARM_UP_CONCURRENCY }, worker));
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Stops sending, waits for the requests in flight and closes the connections; later calls wait for that. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#isStopped = true;
      await this.#loop;
      await Promise.all([...this.#inFlight]);
      await Promise.all([...this.#pools.values()].map((p) => p.close()));
    })();
    return this.#stopped;
  }

  async #run(): Promise<void> {
    const interval = 1000 / RATE_PER_SECOND;
    let due = now();
    while (!this.#isStopped) {
      while (due <= now()) {
        due += interval;
        if (this.#inFlight.size >= MAX_IN_FLIGHT) this.skipped += 1;
        else this.#sendOne();
      }
      await sleep(Math.max(1, due - now()));
    }
  }

  #nextTarget(): number {
    const targets = this.#targets();
    return targets[this.#turn++ % targets.length]!;
  }

  #post(node: number, id: string, seq: number): Promise<IngressOutcome> {
    const url = this.#urlOf(node);
    let pool = this.#pools.get(url);
    if (pool === undefined) {
      pool = new Pool(url, {
        connections: MAX_IN_FLIGHT,
        keepAliveTimeout: 60_000,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      this.#pools.set(url, pool);
    }
    return postIngress(pool, COUNTER_TYPE, id, INCREMENT_TYPENAME, JSON.stringify({ seq, sentAt: now() }));
  }

  #sendOne(): void {
    const node = this.#nextTarget();
    const seq = this.messages.length;
    const id = this.ids[seq % this.ids.length]!;
    const message: Sent = { id, node, acceptedAt: Number.NaN, seenAt: Number.NaN, offset: -1 };
    this.messages.push(message);
    const sending = this.#post(node, id, seq).then(
      (outcome) => {
        if (outcome === 'rejected') {
          this.rejected += 1;
          return;
        }
        message.acceptedAt = now();
        this.lastAcceptedAt = message.acceptedAt;
      },
      (err: unknown) => {
        this.failed += 1;
        this.firstFailure ??= err instanceof Error ? err.message : String(err);
      },
    );
    this.#inFlight.add(sending);
    void sending.finally(() => this.#inFlight.delete(sending));
  }
}

/** A fault on a running cluster, as {@link measureDelivery} needs it. */
export interface FaultRun {
  /** The fault's name in the results, e.g. `sigstop`. */
  readonly fault: string;
  readonly leaseMs: number;
  /** The processes' current URLs by index (a restarted process has a new one). */
  readonly urls: () => readonly string[];
  /** Index of the process the fault hits; the egress is read from the others. */
  readonly victim: number;
  /**
   * Injects the fault and resolves once it is over. While a process should get no ingress (killed, frozen), its
   * index is in `excluded`.
   *
   * @returns what was done, with the measured durations.
   */
  inject(excluded: Set<number>): Promise<string>;
}

/**
 * Runs traffic around one fault on a running cluster and measures how long accepted messages took to come out.
 *
 * @param run - the fault and the cluster, balanced, with no traffic yet.
 * @returns sent, accepted and delivered counts, the worst and median delay, and whether the bound held.
 * @throws when the warm-up messages do not all come out within {@link WARM_UP_TIMEOUT_MS}.
 */
export async function measureDelivery(run: FaultRun): Promise<DeliveryResult> {
  const excluded = new Set<number>();
  const live = (): number[] => run.urls().flatMap((_, i) => (excluded.has(i) ? [] : [i]));
  const sender = new Sender(live, (node) => run.urls()[node]!);
  const warmedUp = new Set<number>();
  let duplicates = 0;
  const poller = new EgressPoller(
    () => run.urls().filter((_, i) => i !== run.victim),
    (event, offset, at) => {
      if (event.seq < 0) {
        warmedUp.add(event.seq);
        return;
      }
      const message = sender.messages[event.seq];
      if (message === undefined) return;
      if (message.offset === -1) {
        message.offset = offset;
        message.seenAt = at;
      } else if (message.offset !== offset) duplicates += 1;
    },
  );
  poller.start();
  let description: string;
  let faultAt: number;
  let faultEndAt: number;
  let endedAt: number;
  const boundMs = run.leaseMs + BOUND_SLACK_MS;
  const isWaiting = (m: Sent): boolean => !Number.isNaN(m.acceptedAt) && Number.isNaN(m.seenAt);
  try {
    await sender.warmUp();
    const warmUpDeadline = now() + WARM_UP_TIMEOUT_MS;
    while (warmedUp.size < sender.ids.length) {
      if (now() > warmUpDeadline)
        throw new Error(`only ${warmedUp.size} of ${sender.ids.length} warm-up messages came out`);
      await sleep(20);
    }
    sender.start();
    try {
      await sleep(BEFORE_MS);
      faultAt = now();
      description = await run.inject(excluded);
      faultEndAt = now();
      await sleep(Math.max(faultAt + run.leaseMs - now(), 0) + AFTER_MS);
    } finally {
      await sender.stop();
    }
    const deadline = (Number.isNaN(sender.lastAcceptedAt) ? now() : sender.lastAcceptedAt) + boundMs;
    while (sender.messages.some(isWaiting) && now() < deadline + EXTRA_WAIT_MS) await sleep(20);
    endedAt = now();
  } finally {
    await sender.stop();
    await poller.stop();
  }

  const histogram = new LatencyHistogram();
  let accepted = 0;
  let delivered = 0;
  let deliveredUnacknowledged = 0;
  let worstMs = 0;
  let worstAfterFaultOverMs = 0;
  let lastSeenAt = Number.NaN;
  const slow: SlowMessage[] = [];
  sender.messages.forEach((m, seq) => {
    const isSeen = !Number.isNaN(m.seenAt);
    if (Number.isNaN(m.acceptedAt)) {
      if (isSeen) deliveredUnacknowledged += 1;
      return;
    }
    accepted += 1;
    const seenAt = isSeen ? m.seenAt : endedAt;
    // A record can be read a moment before the bench handles its 202.
    const delayMs = Math.max(0, seenAt - m.acceptedAt);
    if (isSeen) {
      delivered += 1;
      if (!(lastSeenAt >= seenAt)) lastSeenAt = seenAt;
    }
    histogram.record(delayMs);
    worstMs = Math.max(worstMs, delayMs);
    worstAfterFaultOverMs = Math.max(worstAfterFaultOverMs, seenAt - Math.max(m.acceptedAt, faultEndAt));
    slow.push({
      seq,
      id: m.id,
      keyGroup: keyGroupOf({ type: COUNTER_TYPE, id: m.id }, DEFAULT_KEY_GROUPS),
      acceptedBy: m.node,
      acceptedAfterFaultMs: m.acceptedAt - faultAt,
      delayMs: isSeen ? delayMs : null,
    });
  });
  slow.sort((a, b) => (b.delayMs ?? Number.POSITIVE_INFINITY) - (a.delayMs ?? Number.POSITIVE_INFINITY));
  const isWorstLowerBound = delivered < accepted;
  return {
    fault: run.fault,
    description,
    leaseMs: run.leaseMs,
    boundMs,
    sent: sender.messages.length,
    accepted,
    rejected: sender.rejected,
    failed: sender.failed,
    firstFailure: sender.firstFailure,
    skipped: sender.skipped,
    delivered,
    worstMs,
    isWorstLowerBound,
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    isMet: !isWorstLowerBound && worstMs <= boundMs,
    faultMs: faultEndAt - faultAt,
    worstAfterFaultOverMs,
    lastDeliveryAfterFaultMs: lastSeenAt - faultAt,
    deliveredUnacknowledged,
    duplicates,
    slowest: slow.slice(0, SLOWEST_KEPT),
  };
}
