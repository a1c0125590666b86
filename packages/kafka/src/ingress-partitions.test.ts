import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { IngressPartitions } from './ingress-partitions.js';
import { kafkaIngressMetrics } from './kafka-metrics.js';

function partitions(): { partitions: IngressPartitions; registry: Registry } {
  const registry = new Registry();
  return { partitions: new IngressPartitions('orders', kafkaIngressMetrics(registry)), registry };
}

async function lagOf(registry: Registry, partition: number): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('statehouse_kafka_ingress_lag_records')!.get();
  return metric.values.find((v) => v.labels['partition'] === String(partition))?.value;
}

describe('IngressPartitions', () => {
  it('knows the positions loaded from the store and those resolved since', () => {
    const { partitions: p } = partitions();
    expect(p.hasPositions).toBe(false);
    p.load([{ connector: 'orders', source: 'orders', part: '1', position: '42' }]);
    p.started('orders', 0, 7n);
    expect(p.positionOf('orders', 1)).toBe(42n);
    expect(p.positionOf('orders', 0)).toBe(7n);
    expect(p.positionOf('orders', 2)).toBeUndefined();
    expect(p.hasPositions).toBe(true);
  });

  it('reports the lag and pause of assigned partitions only', async () => {
    const { partitions: p, registry } = partitions();
    p.started('orders', 0, 10n);
    p.started('orders', 1, 0n);
    p.assign([{ topic: 'orders', partition: 0 }]);
    p.sawHighWatermark('orders', 0, 25n, true);
    p.sawHighWatermark('orders', 1, 99n, true); // not assigned here: no lag, no status
    p.assignedOf('orders', 0)!.paused = true;
    expect(p.status()).toEqual([{ source: 'orders', part: '0', position: '10', lag: 15, paused: true }]);
    expect(await lagOf(registry, 0)).toBe(15);
    expect(await lagOf(registry, 1)).toBeUndefined();
    p.advanced('orders', 0, 30n); // past the watermark seen: the lag never goes negative
    expect(p.status()[0]!.lag).toBe(0);
    expect(await lagOf(registry, 0)).toBe(0);
  });

  it("sets the lag gauge from a batch's watermark only once the batch committed", async () => {
    const { partitions: p, registry } = partitions();
    p.started('orders', 0, 10n);
    p.assign([{ topic: 'orders', partition: 0 }]);
    p.sawHighWatermark('orders', 0, 50n, false);
    expect(await lagOf(registry, 0)).toBeUndefined();
    p.advanced('orders', 0, 30n);
    expect(await lagOf(registry, 0)).toBe(20);
  });

  it('hands each advanced position to the consumer group once', () => {
    const { partitions: p } = partitions();
    p.started('orders', 0, 0n);
    p.started('orders', 1, 0n);
    p.assign([
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ]);
    expect(p.takeGroupOffsets()).toEqual([]); // start positions: nothing read, nothing to copy
    p.advanced('orders', 1, 5n);
    p.advanced('orders', 1, 8n);
    expect(p.takeGroupOffsets()).toEqual([{ topic: 'orders', partition: 1, offset: '8' }]);
    expect(p.takeGroupOffsets()).toEqual([]);
  });

  it('forgets the previous assignment when a new one arrives', () => {
    const { partitions: p } = partitions();
    p.started('orders', 0, 3n);
    p.assign([{ topic: 'orders', partition: 0 }]);
    p.advanced('orders', 0, 4n);
    p.assign([]);
    expect(p.hasAssigned).toBe(false);
    expect(p.status()).toEqual([]);
    expect(p.takeGroupOffsets()).toEqual([]); // not ours any more: the new owner copies it
    expect(p.positionOf('orders', 0)).toBe(4n); // the committed position stays known
  });
});
