/**
 * @packageDocumentation
 * Kafka for Statehouse: runs the `io.statefun.kafka.v1/ingress` (exactly once into the store) and `/egress` (at
 * least once with stable record ids, or exactly once through Kafka transactions) documents of module.yaml. Pass {@link kafkaConnectors} to `createRuntime({ connectors: [...] })`; the `statehouse` CLI does.
 */
import type { ConnectorPlugin } from '@statehouse/runtime';
import { registerCompressionCodecs } from './compression.js';
import { KafkaEgressSink, kafkaRecordProblem } from './kafka-egress.js';
import { KafkaIngress } from './kafka-ingress.js';
import { KafkaTransactionalSink } from './kafka-transactional-egress.js';

/** The module.yaml kind of a Kafka ingress (StateFun 3.x). */
export const KAFKA_INGRESS_KIND = 'io.statefun.kafka.v1/ingress';
/** The module.yaml kind of a Kafka egress (StateFun 3.x). */
export const KAFKA_EGRESS_KIND = 'io.statefun.kafka.v1/egress';

/**
 * The Kafka connector plugin.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ module, connectors: [kafkaConnectors()] });
 * ```
 */
export function kafkaConnectors(): ConnectorPlugin {
  registerCompressionCodecs();
  return {
    ingressKinds: [KAFKA_INGRESS_KIND],
    createIngress: (config, context) => {
      if (config.kind !== KAFKA_INGRESS_KIND) throw wrongKind(config.kind);
      return new KafkaIngress(config, context);
    },
    egressKinds: [KAFKA_EGRESS_KIND],
    egressRecordProblem: (_config, value) => kafkaRecordProblem(value),
    createEgress: (config, context) => {
      if (config.kind !== KAFKA_EGRESS_KIND) throw wrongKind(config.kind);
      return config.deliverySemantic.type === 'exactly-once'
        ? new KafkaTransactionalSink(config, context)
        : new KafkaEgressSink(config, context);
    },
  };
}

function wrongKind(kind: string): Error {
  return new Error(
    `the Kafka connector was handed a document of kind ${kind}; the runtime picks plugins by kind`,
  );
}

export { KafkaIngress } from './kafka-ingress.js';
export {
  KafkaEgressSink,
  kafkaRecordProblem,
  KAFKA_PRODUCER_RECORD_TYPENAME,
  RECORD_ID_HEADER,
} from './kafka-egress.js';
export {
  KAFKA_EGRESS_EVENTS,
  KafkaTransactionalSink,
  type PositionRecord,
} from './kafka-transactional-egress.js';
export { routeRecords } from './record-router.js';
export type { SourceRecord, SkippedRecord, SkipReason, RoutedRecords } from './record-router.js';
