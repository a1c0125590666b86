/**
 * @packageDocumentation
 * The StateFun 3.x request-reply protocol: wire-compatible messages (`request-reply.proto`, `types.proto`,
 * `kafka-egress.proto`, `kinesis-egress.proto`) and the typenames the protocol fixes.
 */
export {
  Address,
  TypedValue,
  ToFunction,
  FromFunction,
  MutationType,
  ExpireMode,
  BooleanWrapper,
  IntWrapper,
  LongWrapper,
  FloatWrapper,
  DoubleWrapper,
  StringWrapper,
  KafkaProducerRecord,
  KinesisEgressRecord,
} from './messages.js';
export type {
  AddressProps,
  TypedValueProps,
  ToFunctionProps,
  InvocationBatchRequestProps,
  PersistedValueProps,
  ToFunctionInvocationProps,
  FromFunctionProps,
  InvocationResponseProps,
  PersistedValueMutationProps,
  FromFunctionInvocationProps,
  DelayedInvocationProps,
  EgressMessageProps,
  PersistedValueSpecProps,
  ExpirationSpecProps,
  IncompleteInvocationContextProps,
} from './messages.js';
export {
  BOOL_TYPENAME,
  INT_TYPENAME,
  LONG_TYPENAME,
  FLOAT_TYPENAME,
  DOUBLE_TYPENAME,
  STRING_TYPENAME,
  UNSET_TYPENAME,
  KAFKA_PRODUCER_RECORD_TYPENAME,
  KINESIS_EGRESS_RECORD_TYPENAME,
} from './typenames.js';
export { checkTypeName, parseTypeName, formatTypeName } from './typename.js';
export type { TypeName, TypeNameFault } from './typename.js';
export { TRACEPARENT_HEADER, parseTraceparent, formatTraceparent } from './traceparent.js';
export type { TraceParent } from './traceparent.js';
export {
  CALL_SIGNATURE_HEADER,
  callSignatureBase,
  formatCallSignature,
  parseCallSignature,
} from './call-signature.js';
export type { CallSignature, CallSignatureAlgorithm } from './call-signature.js';
