import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { LabeledHistogram } from './labeled-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('LabeledHistogram', () => {
  it('exposes exactly what a prom-client Histogram with the same observations exposes', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new LabeledHistogram({
      name: 'h',
      help: 'a histogram',
      label: 'function_type',
      buckets: BUCKETS,
      registers: [ours],
    });
    const reference = new Histogram({
      name: 'h',
      help: 'a histogram',
      labelNames: ['function_type'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const observations: [string, number][] = [
      ['ex/a', 0.0005],
      ['ex/a', 0.001], // on a bound: counted in that bucket
      ['ex/a', 0.05],
      ['ex/b', 5], // above every bound: only +Inf
      ['ex/"quoted"\\', 0.2],
      ['ex/a', Number.NaN], // ignored by ours; prom-client throws
    ];
    for (const [type, value] of observations) {
      fast.observe(type, value);
      if (Number.isFinite(value)) reference.observe({ function_type: type }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('h_bucket{le="0.001",function_type="ex/a"} 2');
    // JSON too (prom-client's aggregation of cluster workers and JSON exporters read it).
    const samples = async (registry: Registry): Promise<unknown> =>
      (await registry.getMetricsAsJSON()).map((m) => ({
        ...m,
        values: m.values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metricName: (v as { metricName?: string }).metricName,
        })),
      }));
    expect(await samples(ours)).toEqual(await samples(theirs));

    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
