/**
 * @packageDocumentation
 * Kafka for Statehouse: runs the `io.statefun.kafka.v1/ingress` documents of module.yaml (exactly-once into the
 * store). Pass {@link kafkaConnectors} to `createRuntime({ connectors: [...] })`; the `statehouse` CLI does.
 */
import type { ConnectorPlugin } from '@statehouse/runtime';
import { KafkaIngress } from './kafka-ingress.js';

/** The module.yaml kind of a Kafka ingress (StateFun 3.x). */
export const KAFKA_INGRESS_KIND = 'io.statefun.kafka.v1/ingress';

/**
 * The Kafka connector plugin.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ module, connectors: [kafkaConnectors()] });
 * ```
 */
export function kafkaConnectors(): ConnectorPlugin {
  return {
    ingressKinds: [KAFKA_INGRESS_KIND],
    createIngress: (config, context) => new KafkaIngress(config, context),
  };
}

export { KafkaIngress } from './kafka-ingress.js';
export { routeRecords } from './record-router.js';
export type { SourceRecord, SkippedRecord, SkipReason, RoutedRecords } from './record-router.js';
