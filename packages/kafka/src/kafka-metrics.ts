/** The Kafka connectors' metrics, registered once per runtime registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The metrics of the Kafka ingresses of one runtime. */
export interface KafkaIngressMetrics {
  /** Records ingested (turned into messages and committed), per ingress and topic. */
  readonly records: Counter<'ingress' | 'topic'>;
  /** Records skipped (null key or value, a key that cannot be an id), per ingress, topic and reason. */
  readonly skipped: Counter<'ingress' | 'topic' | 'reason'>;
  /** Records in a partition after the committed position, per ingress, topic and partition. */
  readonly lag: Gauge<'ingress' | 'topic' | 'partition'>;
}

const byRegistry = new WeakMap<Registry, KafkaIngressMetrics>();

/** The metrics in `registry`, created on first use (several ingresses share them, by label). */
export function kafkaIngressMetrics(registry: Registry): KafkaIngressMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    metrics = {
      records: new Counter({
        name: 'statehouse_kafka_ingress_records_total',
        help: 'Kafka records ingested (committed as messages with their offsets)',
        labelNames: ['ingress', 'topic'],
        registers: [registry],
      }),
      skipped: new Counter({
        name: 'statehouse_kafka_ingress_records_skipped_total',
        help: 'Kafka records skipped: null key, null value, or a key that cannot be a function id',
        labelNames: ['ingress', 'topic', 'reason'],
        registers: [registry],
      }),
      lag: new Gauge({
        name: 'statehouse_kafka_ingress_lag_records',
        help: 'Records of a partition after the committed position (high watermark minus position)',
        labelNames: ['ingress', 'topic', 'partition'],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
