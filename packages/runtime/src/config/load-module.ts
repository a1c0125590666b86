import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { deepFreeze } from './deep-freeze.js';
import {
  addEgress,
  addEndpoint,
  addIngress,
  addPolicy,
  checkPoliciesAreBound,
  createModuleBuilder,
  type ModuleBuilder,
} from './module-builder.js';
import {
  describeDocument,
  fail,
  parseDocuments,
  type DocumentContext,
  type ModuleFile,
} from './module-document.js';
import { kafkaEgressSpecSchema, kafkaIngressSpecSchema } from './kafka-schema.js';
import { kinesisEgressSpecSchema, kinesisIngressSpecSchema } from './kinesis-schema.js';
import { KINESIS_EGRESS_KIND, KINESIS_INGRESS_KIND } from './kinesis-types.js';
import {
  endpointV1SpecSchema,
  endpointV2SpecSchema,
  functionPolicySpecSchema,
  httpEgressSpecSchema,
  logEgressSpecSchema,
} from './module-schema.js';
import {
  ENDPOINT_V1_KIND,
  ENDPOINT_V2_KIND,
  FUNCTION_POLICY_KIND,
  HTTP_EGRESS_KIND,
  KAFKA_EGRESS_KIND,
  KAFKA_INGRESS_KIND,
  LOG_EGRESS_KIND,
  NOT_YET_SUPPORTED_KINDS,
  SUPPORTED_KINDS,
  type ModuleConfig,
} from './module-types.js';
import { describeValue, isRecord, toFieldProblem } from './problems.js';

export type { ModuleFile } from './module-document.js';

/** Validates the `spec` of a document of one kind and adds the component to the module. */
type KindLoader = (builder: ModuleBuilder, spec: unknown, context: DocumentContext) => void;

const KIND_LOADERS: ReadonlyMap<string, KindLoader> = new Map<string, KindLoader>([
  [ENDPOINT_V2_KIND, kindLoader(endpointV2SpecSchema, addEndpoint(ENDPOINT_V2_KIND))],
  [ENDPOINT_V1_KIND, kindLoader(endpointV1SpecSchema, addEndpoint(ENDPOINT_V1_KIND))],
  [LOG_EGRESS_KIND, kindLoader(logEgressSpecSchema, addEgress)],
  [HTTP_EGRESS_KIND, kindLoader(httpEgressSpecSchema, addEgress)],
  [FUNCTION_POLICY_KIND, kindLoader(functionPolicySpecSchema, addPolicy)],
  [KAFKA_INGRESS_KIND, kindLoader(kafkaIngressSpecSchema, addIngress)],
  [KAFKA_EGRESS_KIND, kindLoader(kafkaEgressSpecSchema, addEgress)],
  [KINESIS_INGRESS_KIND, kindLoader(kinesisIngressSpecSchema, addIngress)],
  [KINESIS_EGRESS_KIND, kindLoader(kinesisEgressSpecSchema, addEgress)],
]);

/**
 * Loads the components of one or more module files (StateFun 3.x module.yaml format): YAML streams of
 * documents separated by `---`, each `{kind, spec}`; empty documents are skipped. Unknown kinds and fields
 * are errors (StateFun ignores unknown fields; we reject them so that a misspelt key cannot pass silently).
 *
 * @param files - the files, in order; documents keep their file and document order in the result.
 * @returns every endpoint, egress, Kafka ingress and function policy, fully defaulted and deeply frozen.
 * @throws {@link ConfigError} naming the file, the document (1-based) and its kind, the field, the value
 *   seen and what is accepted; see `docs/errors.md` for the `ERR_CONFIG_*` codes.
 * @example
 * const module = loadModuleFiles([{ path: 'module.yaml', text: await readFile('module.yaml', 'utf8') }]);
 * module.endpoints[0]?.transport.callMs; // 120000
 */
export function loadModuleFiles(files: readonly ModuleFile[]): Readonly<ModuleConfig> {
  const builder = createModuleBuilder();
  for (const file of files) {
    for (const context of parseDocuments(file)) loadComponent(builder, context);
  }
  checkPoliciesAreBound(builder);

  const { endpoints, egresses, ingresses } = builder;
  if (endpoints.length === 0 && egresses.length === 0 && ingresses.length === 0) {
    // Policies need an endpoint (checked above), so there are none either.
    const names = files.length === 0 ? '(no module files)' : files.map((f) => f.path).join(', ');
    throw new ConfigError(
      'ERR_CONFIG_EMPTY_MODULE',
      `${names}: no components found. A module file holds YAML documents such as ` +
        `"kind: ${ENDPOINT_V2_KIND}" with a spec; check that the right file was given.`,
    );
  }
  const policies = builder.policies.map((entry) => entry.policy);
  return deepFreeze({ endpoints, egresses, ingresses, policies });
}

/**
 * Reads and loads one module file; see {@link loadModuleFiles}.
 *
 * @param path - path of the module.yaml file.
 * @returns every endpoint, egress, Kafka ingress and function policy, fully defaulted and deeply frozen.
 * @throws {@link ConfigError} `ERR_CONFIG_FILE_READ` when the file cannot be read, or any error of
 *   {@link loadModuleFiles}.
 * @example
 * const module = await loadModuleFile('examples/shopping-cart/module.yaml');
 */
export async function loadModuleFile(path: string): Promise<Readonly<ModuleConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_FILE_READ',
      `Cannot read module file ${path}: ${(err as Error).message}. Check the path and its permissions.`,
      { cause: err },
    );
  }
  return loadModuleFiles([{ path, text }]);
}

/** Validates one document and adds its component to the module; an empty document adds nothing. */
function loadComponent(builder: ModuleBuilder, context: DocumentContext): void {
  const value = readDocument(context);
  if (value === undefined) return;
  const kind = value['kind'];
  if (typeof kind !== 'string') {
    fail(
      context,
      kind === undefined
        ? { code: 'ERR_CONFIG_MISSING_FIELD', path: ['kind'], message: `is required; ${supportedKinds()}` }
        : {
            code: 'ERR_CONFIG_INVALID_VALUE',
            path: ['kind'],
            message: `expected a string, got ${describeValue(kind)}`,
          },
    );
  }
  const load = kindLoaderOf(context, kind);
  context.kind = kind;
  load(builder, value['spec'], context);
}

/** The document as a `{kind, spec}` mapping (fields not checked yet); `undefined` for an empty document. */
function readDocument(context: DocumentContext): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = context.doc.toJS();
  } catch (err) {
    // e.g. too many aliases (a "billion laughs" document) or an unresolved alias.
    throw new ConfigError(
      'ERR_CONFIG_YAML_SYNTAX',
      `${describeDocument(context)}: invalid YAML: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (value === null || value === undefined) return undefined;
  if (!isRecord(value)) {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_DOCUMENT',
      `${describeDocument(context)}: expected a mapping with the fields kind and spec, got ${describeValue(value)}.`,
    );
  }
  if (!('kind' in value) && ('version' in value || 'module' in value)) {
    throw new ConfigError(
      'ERR_CONFIG_LEGACY_FORMAT',
      `${describeDocument(context)}: the legacy "version"/"module" format of module.yaml is not supported; ` +
        `write one document per component instead ("kind: ${ENDPOINT_V2_KIND}" with a spec, separated by ---).`,
    );
  }
  const unknownKey = Object.keys(value).find((key) => key !== 'kind' && key !== 'spec');
  if (unknownKey !== undefined) {
    fail(context, {
      code: 'ERR_CONFIG_UNKNOWN_FIELD',
      path: [unknownKey],
      message: 'unknown field; a document has only the fields kind and spec',
    });
  }
  return value;
}

function kindLoaderOf(context: DocumentContext, kind: string): KindLoader {
  if (NOT_YET_SUPPORTED_KINDS.includes(kind)) {
    throw new ConfigError(
      'ERR_CONFIG_KIND_NOT_YET_SUPPORTED',
      `${describeDocument(context)}: kind ${kind} is recognised but not supported yet; it comes in a later ` +
        'version of Statehouse. Until then, send messages through the HTTP ingress (POST /v1/ingress/...) ' +
        `or a Kafka ingress (${KAFKA_INGRESS_KIND}), and read results from a log egress (${LOG_EGRESS_KIND}) ` +
        `or a Kafka egress (${KAFKA_EGRESS_KIND}).`,
    );
  }
  const load = KIND_LOADERS.get(kind);
  if (load === undefined) {
    throw new ConfigError(
      'ERR_CONFIG_UNKNOWN_KIND',
      `${describeDocument(context)}: unknown kind ${JSON.stringify(kind)}; ${supportedKinds()}.`,
    );
  }
  return load;
}

/** A loader that validates `spec` with `schema` (throwing on the first problem), then calls `add`. */
function kindLoader<Component>(
  schema: z.ZodType<Component>,
  add: (builder: ModuleBuilder, component: Component, context: DocumentContext) => void,
): KindLoader {
  return (builder, spec, context) => {
    const parsed = schema.safeParse(spec, { reportInput: true });
    if (!parsed.success) {
      const [first, ...others] = parsed.error.issues;
      if (first !== undefined) {
        fail(context, toFieldProblem(first, ['spec']), others.length);
      }
      throw new ConfigError('ERR_CONFIG_INVALID_VALUE', `${describeDocument(context)}: spec is invalid.`);
    }
    add(builder, parsed.data, context);
  };
}

function supportedKinds(): string {
  return `the supported kinds are ${SUPPORTED_KINDS.join(', ')}`;
}
