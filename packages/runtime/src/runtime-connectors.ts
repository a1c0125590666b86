/**
 * The ingress connectors of a runtime (Kafka; see `connectors/connector.ts`): checked against the module when
 * the runtime is created, started once it runs, stopped first when it closes.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ModuleConfig } from './config/index.js';
import type {
  ConnectorPlugin,
  ConnectorStatus,
  IngestBatch,
  IngressConnector,
} from './connectors/connector.js';
import type { FunctionType } from './core/address.js';
import type { Clock } from './core/clock.js';
import { STORE_TEXT_LIMITS, storeTextProblem } from './core/store-text.js';
import { ConfigError } from './errors.js';
import type { ConnectorPosition, StoredValue } from './store/store.js';

/** What the connectors work with. */
export interface RuntimeConnectorsDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly loadPositions: (connector: string) => Promise<ConnectorPosition[]>;
  readonly ingest: (batch: IngestBatch) => Promise<void>;
  readonly admits: (type: FunctionType) => boolean;
}

/**
 * Checks that every ingress and egress of the module can run here: a plugin for its kind, endpoints for its
 * targets, the store's mode.
 *
 * @param isServed - whether an endpoint serves a function type.
 * @param clusterMode - whether the runtime runs on a cluster store.
 * @throws {@link ConfigError} naming the document.
 */
export function checkConnectors(
  module: ModuleConfig,
  plugins: readonly ConnectorPlugin[],
  isServed: (type: FunctionType) => boolean,
  clusterMode: boolean,
): void {
  for (const egress of module.egresses) {
    if (egress.kind === 'log' || egress.kind === 'http') continue;
    if (pluginFor(plugins, 'egressKinds', egress.kind) === undefined) {
      throw new ConfigError(
        'ERR_CONFIG_NO_CONNECTOR',
        `${egress.source}: egress ${egress.id} is of kind ${egress.kind}, which this runtime has no connector for; the statehouse CLI has it, and an embedding application passes connectors: [kafkaConnectors()] from @statehouse/kafka to createRuntime`,
      );
    }
    if (egress.deliverySemantic.type === 'exactly-once' && clusterMode) {
      throw new ConfigError(
        'ERR_CONFIG_KIND_NOT_YET_SUPPORTED',
        `${egress.source}: egress ${egress.id} asks for deliverySemantic exactly-once, which runs on the embedded store only in this version; in cluster mode (--store postgres://…) use type: at-least-once (every record reaches Kafka at least once, with a stable id in its headers to deduplicate, see docs/connectors.md)`,
      );
    }
  }
  const groups = new Map<string, ModuleConfig['ingresses'][number]>();
  for (const ingress of module.ingresses) {
    // Each ingress consumes in its own group: members of one group would split each other's partitions.
    const sharing = groups.get(ingress.consumerGroupId);
    if (sharing !== undefined) {
      throw new ConfigError(
        'ERR_CONFIG_CONFLICTING_FIELDS',
        `${ingress.source}: ingress ${ingress.id} uses consumerGroupId ${ingress.consumerGroupId}, like ingress ${sharing.id} (${sharing.source}); give each Kafka ingress its own consumer group (the group receives the ingress's offsets for lag tools, and two ingresses in one group would split each other's partitions)`,
      );
    }
    groups.set(ingress.consumerGroupId, ingress);
    if (pluginFor(plugins, 'ingressKinds', ingress.kind) === undefined) {
      throw new ConfigError(
        'ERR_CONFIG_NO_CONNECTOR',
        `${ingress.source}: ingress ${ingress.id} is of kind ${ingress.kind}, which this runtime has no connector for; the statehouse CLI has it, and an embedding application passes connectors: [kafkaConnectors()] from @statehouse/kafka to createRuntime`,
      );
    }
    if (clusterMode) {
      throw new ConfigError(
        'ERR_CONFIG_KIND_NOT_YET_SUPPORTED',
        `${ingress.source}: ingress ${ingress.id} (${ingress.kind}) runs on the embedded store only in this version; cluster mode (--store postgres://…) comes later`,
      );
    }
    for (const { topic, targets } of ingress.topics) {
      const unserved = targets.find((t) => !isServed(t));
      if (unserved === undefined) continue;
      throw new ConfigError(
        'ERR_CONFIG_UNBOUND_INGRESS_TARGET',
        `${ingress.source}: ingress ${ingress.id} sends the records of topic ${topic} to ${unserved}, but no endpoint in module.yaml serves it; add an io.statefun.endpoints.v2/http document whose functions match ${unserved}`,
      );
    }
  }
}

/** The plugin that runs a module.yaml kind as an ingress or an egress, if any. */
export function pluginFor(
  plugins: readonly ConnectorPlugin[],
  role: 'ingressKinds' | 'egressKinds',
  kind: string,
): ConnectorPlugin | undefined {
  return plugins.find((p) => p[role].includes(kind));
}

/**
 * Why a record cannot go to an egress, for the reply validator: connector egresses check their record type (a
 * Kafka egress takes only `KafkaProducerRecord`s); log and webhook egresses take any value.
 */
export function egressRecordCheck(
  module: ModuleConfig,
  plugins: readonly ConnectorPlugin[],
): ((id: string, value: StoredValue) => string | undefined) | undefined {
  const checks = new Map<string, (value: StoredValue) => string | undefined>();
  for (const egress of module.egresses) {
    if (egress.kind === 'log' || egress.kind === 'http') continue;
    const plugin = pluginFor(plugins, 'egressKinds', egress.kind);
    if (plugin !== undefined) checks.set(egress.id, (value) => plugin.egressRecordProblem(egress, value));
  }
  if (checks.size === 0) return undefined;
  return (id, value) => checks.get(id)?.(value);
}

/** The running connectors of a runtime. */
export class RuntimeConnectors {
  readonly #connectors: readonly IngressConnector[];

  /** Creates (without starting) a connector for every ingress of the module (checked by {@link checkConnectors}). */
  constructor(deps: RuntimeConnectorsDeps, module: ModuleConfig, plugins: readonly ConnectorPlugin[]) {
    this.#connectors = module.ingresses.map((config) => {
      const plugin = pluginFor(plugins, 'ingressKinds', config.kind)!;
      return plugin.createIngress(config, {
        log: deps.log.child({ ingress: config.id }),
        clock: deps.clock,
        registry: deps.registry,
        loadPositions: () => deps.loadPositions(config.id),
        ingest: deps.ingest,
        admits: deps.admits,
        idProblem: (id) => storeTextProblem(id, STORE_TEXT_LIMITS.id),
      });
    });
  }

  async start(): Promise<void> {
    await Promise.all(this.#connectors.map((c) => c.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#connectors.map((c) => c.stop()));
  }

  status(): ConnectorStatus[] {
    return this.#connectors.map((c) => c.status());
  }
}
