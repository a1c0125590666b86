/**
 * Prometheus histograms and counters for observations on the hot path (every invocation, message or commit).
 * prom-client's `observe` and `inc` validate and hash a label object on every call (a histogram without labels
 * too), a few microseconds each; these keep their numbers per label value and hand the registry the same
 * series (in prom-client's order and shape) when it is scraped.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

/** Settings of a {@link LabeledHistogram}. */
export interface LabeledHistogramConfig<L extends string> extends PlainHistogramConfig {
  /** The one label, e.g. `function_type`. */
  readonly label: L;
}

/** Settings of a {@link PlainHistogram}. */
export interface PlainHistogramConfig {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, ascending (`+Inf` is added). */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/** What a registry reads from a histogram at scrape time (prom-client's declared types say `type` is an enum). */
export interface HistogramSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly values: MetricValueWithName<string>[];
  readonly aggregator: 'sum';
}

/** What a registry reads from a counter at scrape time. */
export interface CounterSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter';
  readonly values: { value: number; labels: Record<string, string> }[];
  readonly aggregator: 'sum';
}

interface Series {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

function newSeries(bounds: readonly number[]): Series {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

function observeInto(series: Series, bounds: readonly number[], value: number): void {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  series.counts[i]! += 1;
  series.sum += value;
  series.count += 1;
}

/** Appends one series as prom-client exports it: cumulative `_bucket`s with `le`, then `_sum` and `_count`. */
function exportSeries(
  values: MetricValueWithName<string>[],
  name: string,
  bounds: readonly number[],
  series: Series,
  own: Record<string, string>,
): void {
  const bucket = `${name}_bucket`;
  let cumulative = 0;
  bounds.forEach((le, i) => {
    cumulative += series.counts[i]!;
    values.push({ labels: { le, ...own }, value: cumulative, metricName: bucket });
  });
  values.push({ labels: { le: '+Inf', ...own }, value: series.count, metricName: bucket });
  values.push({ labels: own, value: series.sum, metricName: `${name}_sum` });
  values.push({ labels: own, value: series.count, metricName: `${name}_count` });
}

function histogramSnapshot(
  metric: { readonly name: string; readonly help: string },
  values: MetricValueWithName<string>[],
): Promise<HistogramSnapshot> {
  return Promise.resolve({
    name: metric.name,
    help: metric.help,
    type: 'histogram',
    values,
    aggregator: 'sum',
  });
}

/** A histogram with one label, registered with prom-client registries as a metric of its own. */
export class LabeledHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #label: L;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(config: LabeledHistogramConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.#label = config.label;
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
    // The registry only calls get() and reset() (and reads name, help, type, aggregator).
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * Counts one observation.
   *
   * @param labelValue - the value of the label, e.g. the function type.
   * @param value - what was observed; a value that is not a finite number is ignored.
   */
  observe(labelValue: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let series = this.#series.get(labelValue);
    if (series === undefined) {
      series = newSeries(this.#bounds);
      this.#series.set(labelValue, series);
    }
    observeInto(series, this.#bounds, value);
  }

  /** The series, as prom-client's registry formats them. */
  get(): Promise<HistogramSnapshot> {
    const values: MetricValueWithName<string>[] = [];
    for (const [labelValue, series] of this.#series) {
      exportSeries(values, this.name, this.#bounds, series, { [this.#label]: labelValue });
    }
    return histogramSnapshot(this, values);
  }

  /** Forgets every observation. */
  reset(): void {
    this.#series.clear();
  }
}

/**
 * A histogram without labels (e.g. per commit). Like prom-client's, it shows an empty series from the start,
 * and none after {@link PlainHistogram.reset} until the next observation.
 */
export class PlainHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  #series: Series | undefined;

  constructor(config: PlainHistogramConfig) {
    this.name = config.name;
    this.help = config.help;
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
    this.#series = newSeries(this.#bounds);
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Counts one observation; a value that is not a finite number is ignored. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.#series ??= newSeries(this.#bounds);
    observeInto(this.#series, this.#bounds, value);
  }

  /** The series, as prom-client's registry formats them. */
  get(): Promise<HistogramSnapshot> {
    const values: MetricValueWithName<string>[] = [];
    if (this.#series !== undefined) exportSeries(values, this.name, this.#bounds, this.#series, {});
    return histogramSnapshot(this, values);
  }

  /** Forgets every observation. */
  reset(): void {
    this.#series = undefined;
  }
}

/** A counter with one label, registered with prom-client registries as a metric of its own. */
export class LabeledCounter<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly #label: L;
  readonly #values = new Map<string, number>();

  constructor(config: {
    readonly name: string;
    readonly help: string;
    readonly label: L;
    readonly registers: readonly Registry[];
  }) {
    this.name = config.name;
    this.help = config.help;
    this.#label = config.label;
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * Adds to the count of one label value.
   *
   * @param labelValue - the value of the label, e.g. the egress id.
   * @param value - how much to add (≥ 0). @default 1
   * @throws RangeError when `value` is negative or not a finite number (as prom-client refuses it).
   */
  inc(labelValue: string, value = 1): void {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`a counter only grows by a finite number ≥ 0, not ${value}`);
    }
    this.#values.set(labelValue, (this.#values.get(labelValue) ?? 0) + value);
  }

  /** The counts, as prom-client's registry formats them. */
  get(): Promise<CounterSnapshot> {
    const values = [...this.#values].map(([labelValue, value]) => ({
      value,
      labels: { [this.#label]: labelValue },
    }));
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' });
  }

  /** Forgets every count. */
  reset(): void {
    this.#values.clear();
  }
}
