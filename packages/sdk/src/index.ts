/**
 * @packageDocumentation
 * `@statehouse/sdk`: write Apache Flink Stateful Functions (StateFun 3.x) compatible functions in TypeScript,
 * with typed state and messages, serve them over node:http, the Fetch API or AWS Lambda, and test them with
 * {@link runFunction}.
 */
export { defineFunction } from './define-function.js';
export type { FunctionDefinition, StatefulFunction } from './define-function.js';
export { valueSpec } from './value-spec.js';
export type { ValueSpec, ValueSpecOptions, Expiration, StateSpecs, SpecValue } from './value-spec.js';
export type { Context, StateAccess, SendAfterOptions } from './context.js';
export type { InvocationTrace } from './trace.js';
export type { Message } from './message.js';
export { address, isSameAddress, formatAddress } from './address.js';
export type { Address } from './address.js';

export { IntType, LongType, FloatType, DoubleType, BoolType, StringType } from './types/well-known-types.js';
export { jsonType } from './types/json-type.js';
export type { JsonTypeOptions } from './types/json-type.js';
export { protobufType } from './types/protobuf-type.js';
export type { ProtobufCodec } from './types/protobuf-type.js';
export { customType } from './types/custom-type.js';
export type { CustomSerializer } from './types/custom-type.js';
export type { Type, ValueOf, EncodedValue, Schema } from './types/type.js';

export {
  kafkaEgressRecord,
  kinesisEgressRecord,
  KafkaProducerRecordType,
  KinesisEgressRecordType,
} from './egress-records.js';
export type {
  KafkaEgressRecordOptions,
  KinesisEgressRecordOptions,
  KafkaProducerRecordValue,
  KinesisEgressRecordValue,
  RecordValue,
} from './egress-records.js';

export { createRequestHandler, DEFAULT_MAX_REQUEST_BYTES } from './request-handler.js';
export type {
  RequestHandler,
  HandlerOptions,
  ResolvedHandlerOptions,
  SdkResponse,
  RequestMetadata,
} from './request-handler.js';
export { DEFAULT_SIGNATURE_MAX_AGE_MS } from './call-verifier.js';
export type { SignatureOptions, CallInfo } from './call-verifier.js';
export { createNodeHandler } from './handlers/node-handler.js';
export type { NodeRequestListener } from './handlers/node-handler.js';
export { serve } from './handlers/serve.js';
export type { ServeOptions, FunctionServer } from './handlers/serve.js';
export { createFetchHandler } from './handlers/fetch-handler.js';
export type { FetchHandler } from './handlers/fetch-handler.js';
export { createLambdaHandler } from './handlers/lambda-handler.js';
export type { LambdaHandler, LambdaHttpEvent, LambdaHttpResult } from './handlers/lambda-handler.js';

export { runFunction } from './harness.js';
export type {
  RunFunctionOptions,
  RunResult,
  TestMessage,
  StateValues,
  StateMutation,
  SentMessage,
  DelayedSend,
  EgressEmission,
} from './harness.js';

export {
  StatefunSdkError,
  DefinitionError,
  RequestError,
  SerializationError,
  InvalidArgumentError,
  FunctionError,
  SDK_ERROR_CODES,
} from './errors.js';
export type { SdkErrorCode, SdkErrorOptions } from './errors.js';
