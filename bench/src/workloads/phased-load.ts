/**
 * The healthy load of the isolation workload: the counter workload's closed loop (1,000 keys, each message
 * increments a counter and emits an egress record) running through named phases, so that one runtime can be
 * measured before, during and after something else happens to it. Per phase: ingress-ack and end-to-end
 * throughput and latency, every status the ingress answered, and the runtime's RSS (max and at the end).
 */
import { seededRandom } from '@statehouse/testkit';
import { Pool } from 'undici';

import { EgressFollower, type EgressRecordJson } from '../egress-follower.js';
import { LatencyHistogram, type LatencySummary } from '../histogram.js';
import { now, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME, type CounterEvent } from '../names.js';
import { rssBytes, RssSampler, type RuntimeHandle } from '../processes.js';
import { COUNTER_KEYS } from './counter.js';
import { countStatus, postIngressStatus, type StatusCounts } from './ingress-status.js';
import { toMB } from './session.js';

/** A message's seq on the wire is `phase × SEQ_STRIDE + its seq in the phase`, so records find their phase. */
const SEQ_STRIDE = 2 ** 32;

/** What one phase of the load measured. */
export interface PhaseResult {
  readonly name: string;
  readonly seconds: number;
  /** 202s received inside the phase, per second. */
  readonly ackPerSecond: number;
  /** Ingress latency of the messages sent in the phase and accepted. */
  readonly ack: LatencySummary;
  /** Egress records read inside the phase, per second. */
  readonly e2ePerSecond: number;
  /** Ingress POST sent → egress record read, for the messages sent in the phase. */
  readonly e2e: LatencySummary;
  /** Accepted messages of the phase still not in the egress when the load stopped waiting (latency ≥). */
  readonly undrained: number;
  /** Every answer to the messages sent in the phase. */
  readonly statuses: StatusCounts;
  readonly duplicates: number;
  readonly rssMaxMB: number;
  readonly rssEndMB: number;
}

interface Phase {
  readonly index: number;
  readonly name: string;
  readonly tracker: MessageTracker;
  readonly ack: LatencyHistogram;
  readonly statuses: StatusCounts;
  readonly rss: RssSampler;
  readonly start: number;
  end: number;
  acked: number;
  egressed: number;
  rssMax: number;
  rssEnd: number;
}

/** The counter load, phase by phase, against one runtime. */
export class PhasedCounterLoad {
  readonly #runtime: RuntimeHandle;
  readonly #concurrency: number;
  readonly #pool: Pool;
  readonly #follower: EgressFollower;
  readonly #random: () => number;
  readonly #phases: Phase[] = [];
  #workers: Promise<void>[] = [];
  #isStopping = false;
  #stopped: Promise<PhaseResult[]> | undefined;

  /**
   * @param runtime - the runtime to load.
   * @param concurrency - requests in flight.
   */
  constructor(runtime: RuntimeHandle, concurrency: number) {
    this.#runtime = runtime;
    this.#concurrency = concurrency;
    this.#pool = new Pool(runtime.url, { connections: concurrency, keepAliveTimeout: 60_000 });
    this.#follower = new EgressFollower(runtime.url, COUNTER_EGRESS, (records, at) =>
      this.#observe(records, at),
    );
    this.#random = seededRandom(concurrency);
  }

  /** The phase running now. */
  get phase(): string {
    return this.#current().name;
  }

  /**
   * Starts the load in its first phase.
   *
   * @param phase - its name.
   */
  start(phase: string): void {
    this.#open(phase);
    this.#follower.start();
    this.#workers = Array.from({ length: this.#concurrency }, () => this.#work());
  }

  /**
   * Ends the current phase and starts the next one.
   *
   * @param phase - its name.
   */
  next(phase: string): void {
    this.#close(this.#current());
    this.#open(phase);
  }

  /**
   * Ends the last phase, stops sending, and waits up to `drainMs` for the egress records of the accepted
   * messages. Calling it again returns the first call's outcome.
   *
   * @returns one result per phase, in order.
   * @throws when the egress follower failed.
   */
  stop(drainMs: number): Promise<PhaseResult[]> {
    this.#stopped ??= this.#stop(drainMs);
    return this.#stopped;
  }

  async #stop(drainMs: number): Promise<PhaseResult[]> {
    this.#isStopping = true;
    this.#close(this.#current());
    try {
      await Promise.all(this.#workers);
      const deadline = now() + drainMs;
      const isDrained = (): boolean => this.#phases.every((p) => p.tracker.isWindowDrained);
      while (!isDrained() && now() < deadline && this.#follower.error === undefined) await sleep(20);
      if (this.#follower.error !== undefined) throw this.#follower.error;
      const at = now();
      return this.#phases.map((p) => this.#resultOf(p, p.tracker.closeUnseen(at)));
    } finally {
      for (const p of this.#phases) p.rss.stop();
      await this.#follower.stop();
      await this.#pool.close();
    }
  }

  #current(): Phase {
    const phase = this.#phases.at(-1);
    if (phase === undefined) throw new Error('the load has not started');
    return phase;
  }

  #open(name: string): void {
    const start = now();
    const tracker = new MessageTracker();
    tracker.window.start = start;
    this.#phases.push({
      index: this.#phases.length,
      name,
      tracker,
      ack: new LatencyHistogram(),
      statuses: {},
      rss: new RssSampler(this.#runtime.pid),
      start,
      end: Number.POSITIVE_INFINITY,
      acked: 0,
      egressed: 0,
      rssMax: Number.NaN,
      rssEnd: Number.NaN,
    });
  }

  #close(phase: Phase): void {
    phase.end = now();
    phase.tracker.window.end = phase.end;
    phase.rssMax = phase.rss.stop();
    phase.rssEnd = rssBytes(this.#runtime.pid);
  }

  async #work(): Promise<void> {
    while (!this.#isStopping) {
      const phase = this.#current();
      const sentAt = now();
      const seq = phase.tracker.register(sentAt);
      const key = `k${Math.floor(this.#random() * COUNTER_KEYS)}`;
      let status: number | 'error';
      try {
        const body = JSON.stringify({ seq: phase.index * SEQ_STRIDE + seq, sentAt });
        ({ status } = await postIngressStatus(this.#pool, COUNTER_TYPE, key, INCREMENT_TYPENAME, body));
      } catch {
        status = 'error';
      }
      const ended = now();
      countStatus(phase.statuses, status);
      phase.tracker.acknowledge(seq, status === 202);
      if (status === 202) {
        phase.ack.record(ended - sentAt);
        if (!this.#isStopping) this.#current().acked += 1;
      } else {
        await sleep(status === 503 ? 5 : 50);
      }
    }
  }

  #observe(records: readonly EgressRecordJson[], at: number): void {
    for (const r of records) {
      const event = r.json as CounterEvent | undefined;
      if (event === undefined) continue;
      const phase = this.#phases[Math.floor(event.seq / SEQ_STRIDE)];
      phase?.tracker.observe(event.seq % SEQ_STRIDE, event.sentAt, at);
      if (!this.#isStopping) this.#current().egressed += 1;
    }
  }

  #resultOf(p: Phase, undrained: number): PhaseResult {
    const seconds = (p.end - p.start) / 1000;
    return {
      name: p.name,
      seconds,
      ackPerSecond: p.acked / seconds,
      ack: p.ack.summary(),
      e2ePerSecond: p.egressed / seconds,
      e2e: p.tracker.e2e.summary(),
      undrained,
      statuses: p.statuses,
      duplicates: p.tracker.duplicates,
      rssMaxMB: toMB(p.rssMax),
      rssEndMB: toMB(p.rssEnd),
    };
  }
}
