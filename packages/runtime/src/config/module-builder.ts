import type {
  EgressConfig,
  EndpointConfig,
  FunctionPolicyConfig,
  HttpEgressConfig,
  IngressConfig,
  KafkaEgressConfig,
  KafkaIngressConfig,
  LogEgressConfig,
} from './module-types.js';
import type { KinesisEgressConfig, KinesisIngressConfig } from './kinesis-types.js';
import { KAFKA_EGRESS_KIND } from './module-types.js';
import { kafkaTransactionalId } from './kafka-names.js';
import { fail, sourceOf, type DocumentContext } from './module-document.js';
import type { ModuleConfigErrorCode } from './problems.js';

// Collects the components of a module, document by document, and enforces the rules that span documents:
// each function type, namespace wildcard, egress id, ingress id and policy target is claimed once, and every
// policy applies to a bound function type.

/**
 * The components loaded so far, and which document claimed each binding, egress id and policy target (to name
 * both documents of a duplicate).
 */
export interface ModuleBuilder {
  readonly endpoints: EndpointConfig[];
  readonly egresses: EgressConfig[];
  readonly ingresses: IngressConfig[];
  /** With their documents: whether a policy's type is bound is known only once every file is loaded. */
  readonly policies: { readonly policy: FunctionPolicyConfig; readonly context: DocumentContext }[];
  /** `type ns/name` or `namespace ns` → the document that binds it. */
  readonly bindings: Map<string, string>;
  readonly egressIds: Map<string, string>;
  /** Transactional id of each exactly-once Kafka egress → its document (two would fence each other). */
  readonly transactionalIds: Map<string, string>;
  readonly ingressIds: Map<string, string>;
  /** `type ns/name` or `namespace ns` → the document of its policy. */
  readonly policyTargets: Map<string, string>;
}

/** An empty builder. */
export function createModuleBuilder(): ModuleBuilder {
  return {
    endpoints: [],
    egresses: [],
    ingresses: [],
    policies: [],
    bindings: new Map(),
    egressIds: new Map(),
    transactionalIds: new Map(),
    ingressIds: new Map(),
    policyTargets: new Map(),
  };
}

/** Adds the endpoints of documents of one endpoint kind. */
export function addEndpoint(kind: EndpointConfig['kind']) {
  return (
    builder: ModuleBuilder,
    component: Omit<EndpointConfig, 'source' | 'kind'>,
    context: DocumentContext,
  ): void => {
    const source = sourceOf(context);
    const endpoint: EndpointConfig = { source, kind, ...component };
    const isWildcard = endpoint.name === '*';
    claim(
      builder.bindings,
      targetKey(endpoint),
      source,
      context,
      ['spec', 'functions'],
      'ERR_CONFIG_DUPLICATE_FUNCTION_BINDING',
      (other) =>
        isWildcard
          ? `namespace ${JSON.stringify(endpoint.namespace)} is already bound (${endpoint.functions}) by ${other}; ` +
            'bind each namespace once'
          : `function type ${JSON.stringify(endpoint.functions)} is already bound by ${other}; ` +
            'bind each function type once',
    );
    builder.endpoints.push(endpoint);
  };
}

/** Adds a log, HTTP or Kafka egress; egress ids are unique across all egress kinds. */
export function addEgress(
  builder: ModuleBuilder,
  component:
    | Omit<LogEgressConfig, 'source'>
    | Omit<HttpEgressConfig, 'source'>
    | Omit<KafkaEgressConfig, 'source'>
    | Omit<KinesisEgressConfig, 'source'>,
  context: DocumentContext,
): void {
  const source = sourceOf(context);
  // Egress specs carry their egress kind ('log' | 'http' | the Kafka kind); endpoint specs get theirs from the
  // document.
  const egress: EgressConfig = { source, ...component };
  claim(
    builder.egressIds,
    egress.id,
    source,
    context,
    ['spec', 'id'],
    'ERR_CONFIG_DUPLICATE_EGRESS_ID',
    (other) =>
      `egress id ${JSON.stringify(egress.id)} is already defined by ${other}; give each egress its own id`,
  );
  if (egress.kind === KAFKA_EGRESS_KIND && egress.deliverySemantic.type === 'exactly-once') {
    const transactionalId = kafkaTransactionalId(egress);
    claim(
      builder.transactionalIds,
      transactionalId,
      source,
      context,
      ['spec', 'id'],
      'ERR_CONFIG_CONFLICTING_FIELDS',
      (other) =>
        `egress ${egress.id} would use the Kafka transactional id ${JSON.stringify(transactionalId)}, like the exactly-once egress of ${other}; the two would fence each other: give one of them its own transactional.id property`,
    );
  }
  builder.egresses.push(egress);
}

/** Adds a Kafka or Kinesis ingress; ingress ids are unique among the ingresses. */
export function addIngress(
  builder: ModuleBuilder,
  component: Omit<KafkaIngressConfig, 'source'> | Omit<KinesisIngressConfig, 'source'>,
  context: DocumentContext,
): void {
  const source = sourceOf(context);
  const ingress: IngressConfig = { source, ...component };
  claim(
    builder.ingressIds,
    ingress.id,
    source,
    context,
    ['spec', 'id'],
    'ERR_CONFIG_DUPLICATE_INGRESS_ID',
    (other) =>
      `ingress id ${JSON.stringify(ingress.id)} is already defined by ${other}; give each ingress its own id`,
  );
  builder.ingresses.push(ingress);
}

/** Adds a function policy. */
export function addPolicy(
  builder: ModuleBuilder,
  component: Omit<FunctionPolicyConfig, 'source'>,
  context: DocumentContext,
): void {
  const source = sourceOf(context);
  const policy: FunctionPolicyConfig = { source, ...component };
  claim(
    builder.policyTargets,
    targetKey(policy),
    source,
    context,
    ['spec', 'functions'],
    'ERR_CONFIG_DUPLICATE_FUNCTION_POLICY',
    (other) =>
      policy.name === '*'
        ? `namespace ${JSON.stringify(policy.namespace)} already has a policy (${policy.functions}) in ${other}; ` +
          'write one policy per namespace (merge the two documents)'
        : `function type ${JSON.stringify(policy.functions)} already has a policy in ${other}; ` +
          'write one policy per function type (merge the two documents)',
  );
  builder.policies.push({ policy, context });
}

/**
 * Rejects a policy that applies to no bound function type, most likely a misspelt `functions` (which would
 * otherwise silently limit nothing). Checked once every file is loaded: a binding may come from another file.
 */
export function checkPoliciesAreBound(builder: ModuleBuilder): void {
  const boundNamespaces = new Set(builder.endpoints.map((endpoint) => endpoint.namespace));
  for (const { policy, context } of builder.policies) {
    const isBound =
      policy.name === '*'
        ? boundNamespaces.has(policy.namespace)
        : builder.bindings.has(targetKey(policy)) ||
          builder.bindings.has(targetKey({ namespace: policy.namespace, name: '*' }));
    if (isBound) continue;
    fail(context, {
      code: 'ERR_CONFIG_UNBOUND_FUNCTION_POLICY',
      path: ['spec', 'functions'],
      message:
        policy.name === '*'
          ? `no endpoint binds a function type of namespace ${JSON.stringify(policy.namespace)}, so this ` +
            'policy would apply to nothing; fix the namespace or add an endpoint for it'
          : `no endpoint binds function type ${JSON.stringify(policy.functions)} (neither it nor ` +
            `${policy.namespace}/* is bound), so this policy would apply to nothing; fix the name or add an ` +
            'endpoint for it',
    });
  }
}

/** The key of what a binding or a policy applies to: `type ns/name`, or `namespace ns` for `ns/*`. */
function targetKey(target: { readonly namespace: string; readonly name: string }): string {
  return target.name === '*' ? `namespace ${target.namespace}` : `type ${target.namespace}/${target.name}`;
}

function claim(
  owners: Map<string, string>,
  key: string,
  source: string,
  context: DocumentContext,
  path: readonly PropertyKey[],
  code: ModuleConfigErrorCode,
  message: (other: string) => string,
): void {
  const other = owners.get(key);
  if (other !== undefined) fail(context, { code, path, message: message(other) });
  owners.set(key, source);
}
