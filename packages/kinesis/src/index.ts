/**
 * @packageDocumentation
 * Kinesis for Statehouse: runs the `io.statefun.kinesis.v1/ingress` (exactly once into the store, shard by shard,
 * parents before children) and `/egress` (at least once, order per partition key kept) documents of module.yaml,
 * with the AWS SDK for JavaScript v3. Pass {@link kinesisConnectors} to `createRuntime({ connectors: [...] })`;
 * the `statehouse` CLI does.
 */
import { KINESIS_EGRESS_KIND, KINESIS_INGRESS_KIND, type ConnectorPlugin } from '@statehouse/runtime';
import { KinesisEgressSink, kinesisRecordProblem } from './kinesis-egress.js';
import { KinesisIngress } from './kinesis-ingress.js';

/**
 * The Kinesis connector plugin.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ module, connectors: [kinesisConnectors()] });
 * ```
 */
export function kinesisConnectors(): ConnectorPlugin {
  return {
    ingressKinds: [KINESIS_INGRESS_KIND],
    createIngress: (config, context) => {
      if (config.kind !== KINESIS_INGRESS_KIND) throw wrongKind(config.kind);
      return new KinesisIngress(config, context);
    },
    egressKinds: [KINESIS_EGRESS_KIND],
    egressRecordProblem: (config, value) =>
      kinesisRecordProblem(value, config.kind === KINESIS_EGRESS_KIND && config.recordIdEnvelope),
    createEgress: (config, context) => {
      if (config.kind !== KINESIS_EGRESS_KIND) throw wrongKind(config.kind);
      return new KinesisEgressSink(config, context);
    },
  };
}

function wrongKind(kind: string): Error {
  return new Error(
    `the Kinesis connector was handed a document of kind ${kind}; the runtime picks plugins by kind`,
  );
}

export { KinesisIngress } from './kinesis-ingress.js';
export { envelopeOf, KinesisEgressSink, kinesisRecordProblem } from './kinesis-egress.js';
export { kinesisClientConfig } from './kinesis-client.js';
