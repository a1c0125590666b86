import { describe, expect, it } from 'vitest';
import { LabeledHistogram } from '../engine/hot-path-metrics.js';
import { TrafficFlow } from '../engine/traffic-flow.js';
import { Registry } from 'prom-client';
import { ConsoleStats, quantileMs } from './console-stats.js';

describe('quantileMs', () => {
  const bounds = [0.001, 0.01, 0.1];
  it('interpolates inside the bucket of the quantile, over what was observed between two samples', () => {
    const before = { bounds, cumulative: [10, 10, 10, 10] };
    // Since `before`: 100 observations between 1 ms and 10 ms.
    const after = { bounds, cumulative: [10, 110, 110, 110] };
    expect(quantileMs(before, after, 0.5)).toBe(5.5);
    expect(quantileMs(before, after, 0.99)).toBe(9.91);
  });
  it('answers null without observations, and the last bound above every bound', () => {
    expect(quantileMs(undefined, { bounds, cumulative: [0, 0, 0, 0] }, 0.5)).toBeNull();
    expect(quantileMs(undefined, { bounds, cumulative: [0, 0, 0, 4] }, 0.5)).toBe(100);
  });
});

describe('ConsoleStats', () => {
  it('derives rates and latency from samples at most a second apart, and totals from now', async () => {
    let now = 0;
    const flow = new TrafficFlow();
    const latency = new LabeledHistogram({
      name: 'x',
      help: 'x',
      label: 'function_type',
      buckets: [0.001, 0.01],
      registers: [new Registry()],
    });
    const stats = new ConsoleStats({ flow, latency, now: () => now });
    await stats.sample();
    for (let i = 0; i < 10; i++) flow.recordIngress('a/b');
    latency.observe('a/b', 0.005);
    now = 500; // too soon: no new sample, but the totals are current
    expect((await stats.edges())[0]).toMatchObject({ count: 10, perSecond: 0 });
    now = 2_000;
    expect((await stats.edges())[0]).toMatchObject({ count: 10, perSecond: 5 });
    const types = await stats.types();
    expect(types.size).toBe(0); // no committed invocation of a/b yet
    expect(await stats.sample()).toHaveLength(2);
  });
});
