/**
 * module.yaml loading and validation (endpoints, egresses, Kafka and Kinesis ingresses, policies), the routing of function
 * types to endpoints, and their policies.
 */
export { parseDuration } from './duration.js';
export { loadModuleFile, loadModuleFiles } from './load-module.js';
export type { ModuleFile } from './load-module.js';
export { createEndpointResolver, FunctionTypeRouter } from './endpoint-resolver.js';
export type { EndpointResolver, FunctionTypeRouterOptions, ResolvedEndpoint } from './endpoint-resolver.js';
export { KAFKA_EGRESS_PROPERTIES, KAFKA_INGRESS_PROPERTIES } from './kafka-properties.js';
export {
  isKafkaTopicName,
  KAFKA_TOPIC_SYNTAX,
  kafkaPositionsTopic,
  kafkaTransactionalId,
} from './kafka-names.js';
export {
  KINESIS_EGRESS_PROPERTIES,
  KINESIS_INGRESS_PROPERTIES,
  kinesisPropertyWithoutEffect,
} from './kinesis-properties.js';
export { KINESIS_EGRESS_KIND, KINESIS_INGRESS_KIND } from './kinesis-types.js';
export type {
  AwsCredentialsConfig,
  AwsRegionConfig,
  KinesisEgressConfig,
  KinesisIngressConfig,
  KinesisStartupPosition,
  KinesisStreamRoute,
} from './kinesis-types.js';
export { createPolicyResolver } from './policy-resolver.js';
export type { PolicyResolver, ResolvedFunctionPolicy } from './policy-resolver.js';
export {
  ASYNC_TRANSPORT_TYPE,
  ENDPOINT_V1_KIND,
  ENDPOINT_V2_KIND,
  FUNCTION_POLICY_KIND,
  HTTP_EGRESS_KIND,
  KAFKA_EGRESS_KIND,
  KAFKA_INGRESS_KIND,
  LOG_EGRESS_KIND,
  NOT_YET_SUPPORTED_KINDS,
  OKHTTP_TRANSPORT_TYPE,
  SUPPORTED_KINDS,
} from './module-types.js';
export type {
  EgressConfig,
  EndpointConfig,
  FunctionPolicyConfig,
  DeadLetterPolicyConfig,
  HttpEgressConfig,
  IngressConfig,
  KafkaDeliverySemantic,
  KafkaEgressConfig,
  KafkaIngressConfig,
  KafkaStartupPosition,
  KafkaTopicRoute,
  LogEgressConfig,
  ModuleConfig,
  TlsConfig,
  TransportConfig,
} from './module-types.js';
export type { ModuleConfigErrorCode } from './problems.js';
export { FUNCTION_NAME_PLACEHOLDER } from './url-template.js';
export type { EndpointTarget } from './url-template.js';
