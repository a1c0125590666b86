/**
 * A Prometheus histogram with one label, for observations on the hot path (every invocation). prom-client's
 * `Histogram.observe` validates and hashes its label object on every call, a few microseconds each; this keeps
 * one bucket array per label value and hands the registry the same series (`_bucket` with `le`, `_sum`,
 * `_count`, in prom-client's order and shape) when it is scraped.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

/** Settings of a {@link LabeledHistogram}. */
export interface LabeledHistogramConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  /** The one label, e.g. `function_type`. */
  readonly label: L;
  /** Upper bounds, ascending (`+Inf` is added). */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/** What a registry reads from a metric at scrape time (prom-client's declared types say `type` is an enum). */
export interface HistogramSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly values: MetricValueWithName<string>[];
  readonly aggregator: 'sum';
}

interface Series {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
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
      series = { counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(labelValue, series);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** The series, as prom-client's registry formats them. */
  get(): Promise<HistogramSnapshot> {
    const values: MetricValueWithName<string>[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [labelValue, series] of this.#series) {
      const own = { [this.#label]: labelValue };
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le, ...own }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...own }, value: series.count, metricName: bucket });
      values.push({ labels: own, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: own, value: series.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: 'histogram',
      values,
      aggregator: 'sum',
    });
  }

  /** Forgets every observation. */
  reset(): void {
    this.#series.clear();
  }
}
