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

/** The metrics of the Kafka egresses of one runtime. */
export interface KafkaEgressMetrics {
  /** Records produced to Kafka (acknowledged as the egress's `acks` asks), per egress and topic. */
  readonly records: Counter<'egress' | 'topic'>;
  /** Records given up: a failed batch of a `none` egress, a record that does not decode. */
  readonly dropped: Counter<'egress' | 'reason'>;
}

const egressByRegistry = new WeakMap<Registry, KafkaEgressMetrics>();

/** The egress metrics in `registry`, created on first use. */
export function kafkaEgressMetrics(registry: Registry): KafkaEgressMetrics {
  let metrics = egressByRegistry.get(registry);
  if (metrics === undefined) {
    metrics = {
      records: new Counter({
        name: 'statehouse_kafka_egress_records_total',
        help: 'Records produced to Kafka by Kafka egresses',
        labelNames: ['egress', 'topic'],
        registers: [registry],
      }),
      dropped: new Counter({
        name: 'statehouse_kafka_egress_records_dropped_total',
        help: 'Kafka egress records given up: a failed batch of a deliverySemantic none egress, or undecodable',
        labelNames: ['egress', 'reason'],
        registers: [registry],
      }),
    };
    egressByRegistry.set(registry, metrics);
  }
  return metrics;
}
