/**
 * The plugin interface of ingress connectors (Kafka, Kinesis): a connector reads its source and ingests
 * each batch of records through {@link IngressContext.ingest}, which commits the messages the records became
 * **and** the connector's read positions in one store transaction. A restart resumes from the committed
 * positions, so every record reaches its targets exactly once. Connectors live in their own packages (e.g.
 * `@statehouse/kafka`), so that a runtime without them carries none of their dependencies.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KafkaEgressConfig, KinesisEgressConfig, ModuleConfig } from '../config/index.js';
import type { EgressSink } from '../egress/egress-shipper.js';
import type { FunctionAddress, FunctionType } from '../core/address.js';
import type { Clock } from '../core/clock.js';
import type { ConnectorPosition, StoredValue } from '../store/store.js';

export type { EgressSink };

/** An ingress document of module.yaml (`io.statefun.kafka.v1/ingress`, `io.statefun.kinesis.v1/ingress`). */
export type IngressConfig = ModuleConfig['ingresses'][number];

/** A message for one target, made from a source record. */
export interface IngestMessage {
  readonly target: FunctionAddress;
  readonly argument: StoredValue;
}

/** What one {@link IngressContext.ingest} commits atomically. */
export interface IngestBatch {
  /** Messages to their targets' inboxes, in order (per address, the order they are delivered in). */
  readonly messages: readonly IngestMessage[];
  /** The connector's new read positions (upserted per source and part). */
  readonly positions: readonly ConnectorPosition[];
}

/** What the runtime gives an ingress connector. */
export interface IngressContext {
  /** A logger naming the connector. */
  readonly log: Logger;
  readonly clock: Clock;
  /** The runtime's Prometheus registry, for the connector's own metrics. */
  readonly registry: Registry;
  /** The positions committed for this connector (empty on its first start). */
  loadPositions(): Promise<ConnectorPosition[]>;
  /**
   * Commits the messages and positions in one store transaction, then delivers the messages. Resolves once
   * committed.
   *
   * @throws {@link StoreError} when the commit failed (nothing of it is stored; read again from the last
   *   committed position), {@link StatehouseError} `ERR_CONNECTOR_NOT_RUNNING` when the runtime is not running.
   */
  ingest(batch: IngestBatch): Promise<void>;
  /**
   * Whether messages for the function type are welcome now: false while its backlog is at its `maxBacklog` or
   * the store's disk is full. A connector pauses its source meanwhile (the source is the buffer).
   */
  admits(type: FunctionType): boolean;
  /**
   * Why a text cannot be an address id (over 1 KiB of UTF-8, a NUL character, invalid Unicode), or `undefined`
   * when it can: a record whose key fails this is skipped, not committed.
   */
  idProblem(id: string): string | undefined;
}

/** The state of a connector, as `GET /v1/connectors` shows it. */
export interface ConnectorStatus {
  /** The ingress id of module.yaml. */
  readonly id: string;
  /** The module.yaml kind. */
  readonly kind: string;
  /**
   * `connecting` until it reads, `running`, `paused` (targets full), `retrying` after an error, `stopped`;
   * `standby` in a cluster process that does not lead (the leader reads the connector).
   */
  readonly state: 'connecting' | 'running' | 'paused' | 'retrying' | 'stopped' | 'standby';
  /** The last error, while it is `retrying`. */
  readonly lastError?: string;
  /** Each part of the source this process reads. */
  readonly parts: readonly ConnectorPartStatus[];
}

/** The position and lag of one part of a connector's source (a Kafka topic partition). */
export interface ConnectorPartStatus {
  readonly source: string;
  readonly part: string;
  /** The next position to read (committed with the inbox rows). */
  readonly position: string;
  /** Records in the source after the position, when the source tells (Kafka: high watermark − position). */
  readonly lag?: number;
  /** Whether reading it is paused because its targets are full. */
  readonly paused: boolean;
}

/** A running ingress connector. */
export interface IngressConnector {
  /** Starts reading in the background (a source that is down is retried, never fatal). */
  start(): Promise<void>;
  /** Stops reading; a batch being committed finishes first. */
  stop(): Promise<void>;
  status(): ConnectorStatus;
}

/** An egress document of module.yaml that a connector runs (`io.statefun.kafka.v1/egress`, `io.statefun.kinesis.v1/egress`). */
export type ConnectorEgressConfig = KafkaEgressConfig | KinesisEgressConfig;

/** What the runtime gives an egress connector. */
export interface EgressContext {
  /** A logger naming the egress. */
  readonly log: Logger;
  /** The runtime's Prometheus registry, for the connector's own metrics. */
  readonly registry: Registry;
}

/** A connector package: the module.yaml kinds it runs and how it creates them. */
export interface ConnectorPlugin {
  /** The ingress kinds it runs, e.g. `io.statefun.kafka.v1/ingress`. */
  readonly ingressKinds: readonly string[];
  /** Creates (without starting) the connector of one ingress document. */
  createIngress(config: IngressConfig, context: IngressContext): IngressConnector;
  /** The egress kinds it runs, e.g. `io.statefun.kafka.v1/egress`. */
  readonly egressKinds: readonly string[];
  /**
   * Why a function's egress record cannot go to an egress of this kind (e.g. not a `KafkaProducerRecord`), or
   * `undefined` when it can. Checked when the reply is validated: such a reply is refused and retried, visibly,
   * and nothing of it is committed.
   */
  egressRecordProblem(config: ConnectorEgressConfig, value: StoredValue): string | undefined;
  /**
   * The sink of one egress document: the runtime's shipper hands it the committed records in order, at least
   * once, and moves the egress's cursor once a batch is delivered.
   */
  createEgress(config: ConnectorEgressConfig, context: EgressContext): EgressSink;
}
