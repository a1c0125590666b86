/**
 * An HDR-style latency histogram: log-linear buckets (64 linear sub-buckets per power of two, so any
 * recorded value is off by under 1.6 %), fixed memory, mergeable.
 */

const SUB_BUCKETS = 64;
/** Values are recorded in units of 1 µs; up to 2^40 µs (~12 days) fits. */
const MAGNITUDES = 40;
const BUCKETS = SUB_BUCKETS * (MAGNITUDES + 1);

/** Percentiles of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** A latency histogram with microsecond resolution. Record milliseconds; read milliseconds. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Number of recorded samples. */
  get count(): number {
    return this.#count;
  }

  /**
   * Records one sample.
   *
   * @param ms - the latency in milliseconds (negative values count as 0).
   */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.#counts[bucketOf(us)]! += 1;
    this.#count += 1;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  /**
   * The value at percentile `p`.
   *
   * @param p - in [0, 100].
   * @returns milliseconds (the upper edge of the bucket holding it), or NaN without samples.
   */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(upperEdgeOf(i) / 1000, this.#max);
    }
    return this.#max;
  }

  /** @returns count, p50, p90, p99, max and mean in milliseconds. */
  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.#count === 0 ? Number.NaN : this.#max,
      mean: this.#count === 0 ? Number.NaN : this.#sum / this.#count,
    };
  }
}

function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return us;
  let magnitude = Math.floor(Math.log2(us)) - Math.log2(SUB_BUCKETS);
  // Guard against rounding of log2 right at powers of two.
  if (Math.floor(us / 2 ** magnitude) >= 2 * SUB_BUCKETS) magnitude += 1;
  if (Math.floor(us / 2 ** magnitude) < SUB_BUCKETS) magnitude -= 1;
  const sub = Math.floor(us / 2 ** magnitude) - SUB_BUCKETS;
  return Math.min(SUB_BUCKETS + magnitude * SUB_BUCKETS + sub, BUCKETS - 1);
}

function upperEdgeOf(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const magnitude = Math.floor((bucket - SUB_BUCKETS) / SUB_BUCKETS);
  const sub = ((bucket - SUB_BUCKETS) % SUB_BUCKETS) + SUB_BUCKETS;
  return (sub + 1) * 2 ** magnitude - 1;
}
