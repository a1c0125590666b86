/**
 * @packageDocumentation
 * Test helpers: temp dirs, runtime child processes, function services and an API client.
 */
export { createTempDir } from './temp-dir.js';
export type { TempDir } from './temp-dir.js';
export { waitFor } from './wait-for.js';
export { moduleYaml } from './module-yaml.js';
export type { EndpointSpec } from './module-yaml.js';
export { ApiClient } from './api-client.js';
export type { ApiAnswer } from './api-client.js';
export { RuntimeProcess, CLI_BIN } from './runtime-process.js';
export type { RuntimeProcessOptions, RuntimeProcessExit } from './runtime-process.js';
export { serveHttp } from './official-sdk-service.js';
export type { FunctionService } from './official-sdk-service.js';
export { createOfficialCart, serveOfficialCart, CART_TYPES } from './fixtures/official-cart.js';
export type {
  AddToCart,
  ItemRequest,
  AddToCartResult,
  Stock,
  OfficialCartOptions,
} from './fixtures/official-cart.js';
export { createOfficialBank, serveOfficialBank, BANK_TYPES } from './fixtures/official-bank.js';
export type { LedgerEntry } from './fixtures/official-bank.js';
export { seededRandom } from './seeded-random.js';
export { createOfficialTimers, serveOfficialTimers, TIMER_TYPES } from './fixtures/official-timers.js';
export type { Schedule, Fired } from './fixtures/official-timers.js';
export { Gate } from './fixtures/gate.js';
export { metricValue } from './fixtures/prometheus.js';
export { startEmbeddedRuntime } from './fixtures/embedded-runtime.js';
export type { EmbeddedRuntime, EmbeddedRuntimeOptions } from './fixtures/embedded-runtime.js';
export {
  serveRecording,
  officialResponder,
  resultReply,
  incompleteReply,
  missingSpecs,
} from './fixtures/recording-service.js';
export type {
  RecordingService,
  RecordedRequest,
  RecordedInvocation,
  RecordedState,
  RawReply,
  Responder,
  OfficialStateFun,
} from './fixtures/recording-service.js';
export { startPostgres, withPostgres, TEST_PG_URL_ENV } from './postgres.js';
export type { TestPostgres, StartPostgresOptions } from './postgres.js';
export { generateBankOps, submitBankOps, expectBank, checkBank } from './bank-workload.js';
export type { BankOp, BankWorkloadOptions, BankExpectation, BankCheck } from './bank-workload.js';
export { freePort } from './free-port.js';
export { SteadyBankLoad, DelayedMessages, rotatingUrls } from './fixtures/cluster-load.js';
export type { SteadyBankLoadOptions } from './fixtures/cluster-load.js';
export {
  clusterStatus,
  ownedKeyGroups,
  readiness,
  crashEvidence,
  recentWarnings,
  saveProcessLogs,
  storeBacklog,
  assertSplitAmong,
  assertFullyOwned,
  assertNothingPending,
  assertAllReady,
} from './fixtures/cluster-probes.js';
export type {
  ClusterStatus,
  ClusterMemberStatus,
  NamedProcess,
  StoreBacklog,
} from './fixtures/cluster-probes.js';
export { ClusterHarness } from './fixtures/cluster-harness.js';
export type { ClusterHarnessOptions, UnhandledRejectionsMode } from './fixtures/cluster-harness.js';
export { mountTmpfs, blobModule, echoBlobs, BlobIngress } from './fixtures/full-disk.js';
export type { BlobAnswer, BlobFill } from './fixtures/full-disk.js';
export { startMockKafka } from './mock-kafka.js';
export {
  STATEFUN_REFERENCE_ASYNC_ENDPOINT,
  STATEFUN_REFERENCE_KAFKA_DOCUMENTS,
} from './fixtures/statefun-reference.js';
export type { MockKafka, StartMockKafkaOptions } from './mock-kafka.js';
export { startKinesalite } from './kinesalite.js';
export type { Kinesalite, KinesisOperation, KinesisOutRecord } from './kinesalite.js';
export { Started } from './started.js';
export { runDemoCommand } from './demo-command.js';
export type { DemoOptions } from './demo-command.js';
export { cartStateProblems } from './fixtures/cart-outcomes.js';
export type { CartShape } from './fixtures/cart-outcomes.js';
export { connectorLeader } from './fixtures/connector-leader.js';
export { startS3rver, S3RVER_CREDENTIALS } from './s3rver.js';
export type { TestS3rver, StartS3rverOptions, S3rverRequest, S3rverObjectEvent } from './s3rver.js';
export { runCli, cliSuccess, cliFailure } from './cli.js';
export type { CliRun, CliRunOptions } from './cli.js';
export { createTestCa } from './test-ca.js';
export { rawHttp } from './raw-http.js';
export type { RawAnswer } from './raw-http.js';
export type { TestCa } from './test-ca.js';
