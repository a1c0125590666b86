/**
 * @packageDocumentation
 * The Statehouse runtime, usable as a library: load a module, create a runtime, embed it in tests.
 */
export { createRuntime, Runtime, RUNTIME_READY_EVENT } from './runtime.js';
export type { RuntimeState } from './runtime.js';
export type { BacklogEntry } from './api/runtime-backend.js';
export type { StallInfo } from './engine/dispatcher.js';
export { resolveRuntimeOptions, RUNTIME_OPTION_DEFAULTS } from './runtime-options.js';
export type { RuntimeOptions, ResolvedRuntimeOptions, RuntimeOptionDefaults } from './runtime-options.js';
export {
  loadModuleFile,
  loadModuleFiles,
  parseDuration,
  createEndpointResolver,
  createPolicyResolver,
  isKafkaTopicName,
  KAFKA_TOPIC_SYNTAX,
  kafkaPositionsTopic,
  kafkaTransactionalId,
  KINESIS_INGRESS_KIND,
  KINESIS_EGRESS_KIND,
  kinesisPropertyWithoutEffect,
} from './config/index.js';
export type {
  ModuleConfig,
  ModuleFile,
  EndpointConfig,
  FunctionPolicyConfig,
  DeadLetterPolicyConfig,
  PolicyResolver,
  ResolvedFunctionPolicy,
  TransportConfig,
  EgressConfig,
  LogEgressConfig,
  HttpEgressConfig,
  KafkaIngressConfig,
  KafkaEgressConfig,
  KafkaTopicRoute,
  KafkaStartupPosition,
  KafkaDeliverySemantic,
  KinesisIngressConfig,
  KinesisEgressConfig,
  KinesisStreamRoute,
  KinesisStartupPosition,
  AwsRegionConfig,
  AwsCredentialsConfig,
} from './config/index.js';
export type {
  ConnectorPlugin,
  IngressConnector,
  IngressContext,
  IngressConfig,
  IngestBatch,
  IngestMessage,
  ConnectorStatus,
  ConnectorPartStatus,
  ConnectorEgressConfig,
  EgressContext,
  EgressSink,
} from './connectors/connector.js';
export {
  StatehouseError,
  ConfigError,
  StoreError,
  ApiError,
  FunctionReplyError,
  InvocationError,
  SnapshotError,
  RUNTIME_ERROR_CODES,
} from './errors.js';
export type {
  StatehouseErrorOptions,
  RuntimeErrorCode,
  ConfigErrorCode,
  StoreErrorCode,
  ApiErrorCode,
  FunctionReplyErrorCode,
  InvocationErrorCode,
  SnapshotErrorCode,
} from './errors.js';
export { createSnapshot } from './snapshot/create-snapshot.js';
export type { CreateSnapshotOptions, SnapshotSource, SnapshotTaken } from './snapshot/create-snapshot.js';
export { listSnapshots } from './snapshot/snapshot-catalog.js';
export type { SnapshotListing } from './snapshot/snapshot-catalog.js';
export { restoreSnapshot } from './snapshot/restore-snapshot.js';
export type { RestoreSnapshotOptions, RestoreTarget, SnapshotRestored } from './snapshot/restore-snapshot.js';
export { exportState } from './snapshot/state-export.js';
export type { ExportStateOptions } from './snapshot/state-export.js';
export { importState } from './snapshot/state-import.js';
export type { ImportStateOptions, StateImported } from './snapshot/state-import.js';
export { SNAPSHOT_FORMAT_VERSION } from './snapshot/snapshot-format.js';
export type { SnapshotManifest, SnapshotFile } from './snapshot/snapshot-format.js';
export { reportOf } from './snapshot/store-source.js';
export type { SnapshotReport } from './snapshot/store-source.js';
export { redactUrl } from './store/postgres/postgres-errors.js';
export { redactLocation } from './core/redact-url.js';
export { isStoreUrlEncodingValid, STORE_URL_ENCODING_HINT } from './store/postgres/postgres-options.js';
export { parseApiTokensFile, environmentToken, MIN_TOKEN_LENGTH } from './config/api-tokens.js';
export type { ApiAuthConfig, ApiTokenConfig, ApiScope } from './api/api-auth.js';
export { SqliteStore, openSqliteStore } from './store/sqlite/sqlite-store.js';
export type { SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
export type {
  Store,
  StoreMeta,
  StoreCounters,
  CommitBatch,
  CommitResult,
  StoredMessage,
  StoredState,
  StoredTimer,
  StoredValue,
  StateWrite,
  EgressAppend,
  EgressRecord,
  FunctionSpecRecord,
  IngressWrite,
  IngressResult,
  DeadLetter,
  TimerCancellation,
  ExpireMode,
  ConnectorPosition,
} from './store/store.js';
export { EMPTY_COMMIT_BATCH } from './store/store.js';
export { readClusterStatus } from './cluster/cluster-status.js';
export type {
  ClusterStatus,
  FunctionTypeBacklog,
  MemberStatus,
  UnownedStatus,
} from './cluster/cluster-status.js';
export { PostgresStore } from './store/postgres/postgres-store.js';
export type { ClusterStore, ClusterView, MemberRecord, LeaseRecord, Fence } from './store/cluster-store.js';
export { keyGroupOf, formatAddress, KEY_GROUP_HASH, DEFAULT_KEY_GROUPS } from './core/address.js';
export type { FunctionAddress, FunctionType } from './core/address.js';
export { systemClock } from './core/clock.js';
export type { Clock, TimerHandle } from './core/clock.js';
