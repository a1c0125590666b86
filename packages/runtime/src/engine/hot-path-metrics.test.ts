import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { LabeledCounter, LabeledHistogram, PlainHistogram } from './hot-path-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The samples of a registry's JSON, as prom-client's aggregation of cluster workers and JSON exporters read them. */
async function samples(registry: Registry): Promise<unknown> {
  return (await registry.getMetricsAsJSON()).map((m) => ({
    ...m,
    values: m.values.map((v) => ({
      labels: v.labels,
      value: v.value,
      metricName: (v as { metricName?: string }).metricName,
    })),
  }));
}

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
    expect(await samples(ours)).toEqual(await samples(theirs));

    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('PlainHistogram', () => {
  it('exposes exactly what a prom-client Histogram without labels exposes, before and after observations and a reset', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new PlainHistogram({
      name: 'p',
      help: 'a plain histogram',
      buckets: BUCKETS,
      registers: [ours],
    });
    const reference = new Histogram({
      name: 'p',
      help: 'a plain histogram',
      buckets: BUCKETS,
      registers: [theirs],
    });
    expect(await ours.metrics()).toBe(await theirs.metrics()); // an empty series from the start
    for (const value of [0.0005, 0.001, 0.05, 5, 0.2]) {
      fast.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('p_bucket{le="0.001"} 2');
    expect(await samples(ours)).toEqual(await samples(theirs));
    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics()); // no series after a reset
    fast.observe(0.01);
    reference.observe(0.01);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('LabeledCounter', () => {
  it('exposes exactly what a prom-client Counter with the same increments exposes', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new LabeledCounter({
      name: 'c_total',
      help: 'a counter',
      label: 'egress',
      registers: [ours],
    });
    const reference = new Counter({
      name: 'c_total',
      help: 'a counter',
      labelNames: ['egress'],
      registers: [theirs],
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const increments: [string, number | undefined][] = [
      ['ex/a', undefined],
      ['ex/b', 3],
      ['ex/a', 2.5],
      ['ex/"quoted"\\', 0],
    ];
    for (const [egress, by] of increments) {
      fast.inc(egress, by);
      reference.inc({ egress }, by);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('c_total{egress="ex/a"} 3.5');
    expect(await samples(ours)).toEqual(await samples(theirs));
    expect(() => fast.inc('ex/a', -1)).toThrow(RangeError);
    expect(() => fast.inc('ex/a', Number.NaN)).toThrow(RangeError);
    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
