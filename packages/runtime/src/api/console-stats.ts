/**
 * Rates and latency quantiles for the web console, from the runtime's own counters: committed traffic
 * (`engine/traffic-flow.ts`) and the invocation latency histogram. Samples are taken when the console asks
 * (at most one a second, the last {@link MAX_SAMPLES} kept), so an idle runtime does no work for it; a rate is
 * the difference between two samples over the time between them, a quantile is interpolated in the latency
 * buckets observed between them.
 */
import type { LabeledHistogram } from '../engine/hot-path-metrics.js';
import type { TrafficCounts, TrafficFlow } from '../engine/traffic-flow.js';

/** Samples kept: two minutes at one a second. */
export const MAX_SAMPLES = 120;
/** Samples closer than this to the previous one reuse it. */
const MIN_SAMPLE_INTERVAL_MS = 900;

/** Cumulative latency bucket counts of one function type: upper bounds (seconds, ascending) and counts. */
interface LatencyBuckets {
  readonly bounds: readonly number[];
  /** Cumulative counts per bound; the last entry is `+Inf` (all observations). */
  readonly cumulative: readonly number[];
}

interface Sample {
  readonly at: number;
  readonly traffic: TrafficCounts;
  readonly latency: ReadonlyMap<string, LatencyBuckets>;
}

/** The rates of one function type between two samples. */
export interface TypeRates {
  readonly at: number;
  readonly messagesPerSecond: number;
  readonly invocationsPerSecond: number;
  /** Invocation latency quantiles (one HTTP attempt), ms; `null` when nothing was invoked meanwhile. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** What the stats read. */
export interface ConsoleStatsSources {
  readonly flow: Pick<TrafficFlow, 'counts'>;
  readonly latency: Pick<LabeledHistogram<string>, 'get'>;
  readonly now: () => number;
}

/** Samples the runtime's counters and derives rates. */
export class ConsoleStats {
  readonly #sources: ConsoleStatsSources;
  #samples: Sample[] = [];

  constructor(sources: ConsoleStatsSources) {
    this.#sources = sources;
  }

  /** Takes a sample unless the last one is younger than a second. @returns the samples, oldest first. */
  async sample(): Promise<readonly Sample[]> {
    const now = this.#sources.now();
    const last = this.#samples[this.#samples.length - 1];
    if (last === undefined || now - last.at >= MIN_SAMPLE_INTERVAL_MS) {
      const latency = parseLatency(await this.#sources.latency.get());
      this.#samples.push({ at: now, traffic: this.#sources.flow.counts(), latency });
      if (this.#samples.length > MAX_SAMPLES) this.#samples = this.#samples.slice(-MAX_SAMPLES);
    }
    return this.#samples;
  }

  /** Per function type: totals, the latest rates and their series (oldest first). */
  async types(): Promise<
    Map<string, { totals: { messages: number; invocations: number }; series: TypeRates[] }>
  > {
    const samples = await this.sample();
    // Totals are read now; only rates come from the samples (the last one may be up to a second old).
    const latest = this.#sources.flow.counts();
    const out = new Map<string, { totals: { messages: number; invocations: number }; series: TypeRates[] }>();
    for (const [type, t] of latest.types)
      out.set(type, { totals: { messages: t.messages, invocations: t.invocations }, series: [] });
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!;
      const b = samples[i]!;
      for (const [type, entry] of out) entry.series.push(ratesBetween(type, a, b));
    }
    return out;
  }

  /** Per edge: the total now and the rate between the last two samples. */
  async edges(): Promise<{ from: string; to: string; count: number; perSecond: number }[]> {
    const samples = await this.sample();
    const b = samples[samples.length - 1]!;
    const a = samples[samples.length - 2];
    const seconds = a === undefined ? 0 : (b.at - a.at) / 1000;
    return [...this.#sources.flow.counts().edges].map(([key, e]) => {
      const delta = (b.traffic.edges.get(key)?.count ?? 0) - (a?.traffic.edges.get(key)?.count ?? 0);
      return { ...e, perSecond: seconds > 0 ? round(delta / seconds) : 0 };
    });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function ratesBetween(type: string, a: Sample, b: Sample): TypeRates {
  const seconds = Math.max(0.001, (b.at - a.at) / 1000);
  const ta = a.traffic.types.get(type);
  const tb = b.traffic.types.get(type);
  const la = a.latency.get(type);
  const lb = b.latency.get(type);
  return {
    at: b.at,
    messagesPerSecond: round(((tb?.messages ?? 0) - (ta?.messages ?? 0)) / seconds),
    invocationsPerSecond: round(((tb?.invocations ?? 0) - (ta?.invocations ?? 0)) / seconds),
    p50Ms: lb === undefined ? null : quantileMs(la, lb, 0.5),
    p99Ms: lb === undefined ? null : quantileMs(la, lb, 0.99),
  };
}

/**
 * The quantile `q` of the observations between two cumulative bucket counts, ms, interpolated linearly inside
 * its bucket (above the last bound: the last bound); `null` when there were none.
 */
export function quantileMs(
  before: LatencyBuckets | undefined,
  after: LatencyBuckets,
  q: number,
): number | null {
  const delta = after.cumulative.map((c, i) => c - (before?.cumulative[i] ?? 0));
  const total = delta[delta.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < delta.length; i++) {
    if (delta[i]! < rank) continue;
    const upper = after.bounds[i] ?? after.bounds[after.bounds.length - 1]!;
    if (i >= after.bounds.length) return round(upper * 1000);
    const lower = i === 0 ? 0 : after.bounds[i - 1]!;
    const below = i === 0 ? 0 : delta[i - 1]!;
    const inBucket = delta[i]! - below;
    const share = inBucket > 0 ? (rank - below) / inBucket : 1;
    return round((lower + (upper - lower) * share) * 1000);
  }
  return null;
}

/** Reads cumulative buckets per function type from a histogram's scrape values. */
function parseLatency(snapshot: {
  readonly values: readonly {
    labels: Partial<Record<string, string | number>>;
    value: number;
    metricName?: string | undefined;
  }[];
}): Map<string, LatencyBuckets> {
  const byType = new Map<string, { bounds: number[]; cumulative: number[]; inf: number }>();
  for (const v of snapshot.values) {
    if (v.metricName?.endsWith('_bucket') !== true) continue;
    const type = String(v.labels['function_type']);
    let entry = byType.get(type);
    if (entry === undefined) byType.set(type, (entry = { bounds: [], cumulative: [], inf: 0 }));
    if (v.labels['le'] === '+Inf') entry.inf = v.value;
    else {
      entry.bounds.push(Number(v.labels['le']));
      entry.cumulative.push(v.value);
    }
  }
  return new Map(
    [...byType].map(([type, e]) => [type, { bounds: e.bounds, cumulative: [...e.cumulative, e.inf] }]),
  );
}
