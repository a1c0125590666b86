/**
 * The ingress connectors of a runtime (Kafka; see `connectors/connector.ts`): checked against the module when
 * the runtime is created, started once it runs, stopped first when it closes. In a cluster only the leader (the
 * owner of key group 0) reads them: a process that becomes leader starts fresh connectors (which load their
 * positions from the store), one that stops leading stops them, and positions commit under the leader's lease.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { KAFKA_INGRESS_KIND, type ModuleConfig } from './config/index.js';
import type {
  ConnectorPlugin,
  ConnectorStatus,
  IngestBatch,
  IngressConnector,
} from './connectors/connector.js';
import type { FunctionType } from './core/address.js';
import type { Clock, TimerHandle } from './core/clock.js';
import { SerialQueue } from './core/serial-queue.js';
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
  /** Whether this process leads (single process: always): only the leader reads the ingress connectors. */
  readonly isLeader: () => boolean;
}

/** How often a cluster process checks whether it gained or lost the lead, ms. */
const LEADERSHIP_CHECK_MS = 250;

/**
 * Checks that every ingress and egress of the module can run here: a plugin for its kind, endpoints for its
 * targets.
 *
 * @param isServed - whether an endpoint serves a function type.
 * @throws {@link ConfigError} naming the document.
 */
export function checkConnectors(
  module: ModuleConfig,
  plugins: readonly ConnectorPlugin[],
  isServed: (type: FunctionType) => boolean,
): void {
  for (const egress of module.egresses) {
    if (egress.kind === 'log' || egress.kind === 'http') continue;
    if (pluginFor(plugins, 'egressKinds', egress.kind) === undefined) {
      throw new ConfigError(
        'ERR_CONFIG_NO_CONNECTOR',
        `${egress.source}: egress ${egress.id} is of kind ${egress.kind}, ${noConnectorHint(egress.kind)}`,
      );
    }
  }
  const groups = new Map<string, ModuleConfig['ingresses'][number]>();
  for (const ingress of module.ingresses) {
    // Each Kafka ingress consumes in its own group: members of one group would split each other's partitions.
    const sharing = ingress.kind === KAFKA_INGRESS_KIND ? groups.get(ingress.consumerGroupId) : undefined;
    if (ingress.kind === KAFKA_INGRESS_KIND && sharing !== undefined) {
      throw new ConfigError(
        'ERR_CONFIG_CONFLICTING_FIELDS',
        `${ingress.source}: ingress ${ingress.id} uses consumerGroupId ${ingress.consumerGroupId}, like ingress ${sharing.id} (${sharing.source}); give each Kafka ingress its own consumer group (the group receives the ingress's offsets for lag tools, and two ingresses in one group would split each other's partitions)`,
      );
    }
    if (ingress.kind === KAFKA_INGRESS_KIND) groups.set(ingress.consumerGroupId, ingress);
    if (pluginFor(plugins, 'ingressKinds', ingress.kind) === undefined) {
      throw new ConfigError(
        'ERR_CONFIG_NO_CONNECTOR',
        `${ingress.source}: ingress ${ingress.id} is of kind ${ingress.kind}, ${noConnectorHint(ingress.kind)}`,
      );
    }
    const routes =
      ingress.kind === KAFKA_INGRESS_KIND
        ? ingress.topics.map((r) => ({ source: `topic ${r.topic}`, targets: r.targets }))
        : ingress.streams.map((r) => ({ source: `stream ${r.stream}`, targets: r.targets }));
    for (const { source, targets } of routes) {
      const unserved = targets.find((t) => !isServed(t));
      if (unserved === undefined) continue;
      throw new ConfigError(
        'ERR_CONFIG_UNBOUND_INGRESS_TARGET',
        `${ingress.source}: ingress ${ingress.id} sends the records of ${source} to ${unserved}, but no endpoint in module.yaml serves it; add an io.statefun.endpoints.v2/http document whose functions match ${unserved}`,
      );
    }
  }
}

/** What to do about a kind no plugin runs: which package's plugin to pass. */
function noConnectorHint(kind: string): string {
  const [pkg, plugin] = kind.startsWith('io.statefun.kinesis.')
    ? ['@statehouse/kinesis', 'kinesisConnectors()']
    : ['@statehouse/kafka', 'kafkaConnectors()'];
  return `which this runtime has no connector for; the statehouse CLI has it, and an embedding application passes connectors: [${plugin}] from ${pkg} to createRuntime`;
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

/** Which connectors a runtime runs. */
export interface RuntimeConnectorsOptions {
  /** The module whose ingresses run (checked by {@link checkConnectors}). */
  readonly module: ModuleConfig;
  /** The plugins that run them. */
  readonly plugins: readonly ConnectorPlugin[];
}

/** The running connectors of a runtime. */
export class RuntimeConnectors {
  readonly #deps: RuntimeConnectorsDeps;
  readonly #module: ModuleConfig;
  readonly #plugins: readonly ConnectorPlugin[];
  /** The connectors of the current lead; empty while another process leads. */
  #running: readonly IngressConnector[] = [];
  /** Starting and stopping the connectors, one at a time. */
  readonly #serial = new SerialQueue();
  #timer: TimerHandle | undefined;
  #stopped = false;

  /** Prepares the connectors of every ingress of the module (checked by {@link checkConnectors}). */
  constructor(deps: RuntimeConnectorsDeps, options: RuntimeConnectorsOptions) {
    this.#deps = deps;
    this.#module = options.module;
    this.#plugins = options.plugins;
  }

  /** Starts the connectors if this process leads, and follows the lead from then on. */
  async start(): Promise<void> {
    if (this.#module.ingresses.length === 0) return;
    await this.#serial.run(() => this.#follow());
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    await this.#serial.run(() => this.#stopRunning());
  }

  /** The running connectors' status; `standby` for each ingress while another process leads. */
  status(): ConnectorStatus[] {
    if (this.#running.length > 0) return this.#running.map((c) => c.status());
    return this.#module.ingresses.map((i) => ({ id: i.id, kind: i.kind, state: 'standby', parts: [] }));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#serial
        .run(() => this.#follow())
        .catch((err: unknown) =>
          this.#deps.log.warn({ err }, 'starting or stopping the ingress connectors failed; retrying'),
        )
        .finally(() => this.#schedule());
    }, LEADERSHIP_CHECK_MS);
  }

  async #follow(): Promise<void> {
    if (this.#stopped) return;
    const leads = this.#deps.isLeader();
    if (leads && this.#running.length === 0) {
      // Fresh connectors: they load their positions from the store, where the previous leader left them.
      this.#running = this.#create();
      this.#deps.log.info(
        { ingresses: this.#running.length },
        'this process leads: it reads the ingress connectors',
      );
      await Promise.all(this.#running.map((c) => c.start()));
    } else if (!leads && this.#running.length > 0) {
      this.#deps.log.info('this process no longer leads: it stops reading the ingress connectors');
      await this.#stopRunning();
    }
  }

  async #stopRunning(): Promise<void> {
    const running = this.#running;
    this.#running = [];
    await Promise.all(running.map((c) => c.stop()));
  }

  #create(): IngressConnector[] {
    const deps = this.#deps;
    return this.#module.ingresses.map((config) => {
      const plugin = pluginFor(this.#plugins, 'ingressKinds', config.kind)!;
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
}
