import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { deepFreeze } from './deep-freeze.js';
import {
  endpointV1SpecSchema,
  endpointV2SpecSchema,
  httpEgressSpecSchema,
  logEgressSpecSchema,
} from './module-schema.js';
import {
  ENDPOINT_V1_KIND,
  ENDPOINT_V2_KIND,
  HTTP_EGRESS_KIND,
  LOG_EGRESS_KIND,
  NOT_YET_SUPPORTED_KINDS,
  SUPPORTED_KINDS,
  type EgressConfig,
  type EndpointConfig,
  type ModuleConfig,
} from './module-types.js';
import {
  describeValue,
  formatPath,
  isRecord,
  toFieldProblem,
  type FieldProblem,
  type ModuleConfigErrorCode,
} from './problems.js';

/** The text of one module file and the path to name it by in errors and `source` fields. */
export interface ModuleFile {
  /** The file's path (or any name) as it should appear in messages, e.g. `module.yaml`. */
  readonly path: string;
  /** The file's YAML text. */
  readonly text: string;
}

/** One YAML document while it is being loaded. */
interface DocumentContext {
  readonly file: ModuleFile;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly doc: Document;
  readonly lines: LineCounter;
  kind?: string;
}

type SpecSchema =
  | typeof endpointV2SpecSchema
  | typeof endpointV1SpecSchema
  | typeof logEgressSpecSchema
  | typeof httpEgressSpecSchema;

const SPEC_SCHEMAS: ReadonlyMap<string, SpecSchema> = new Map<string, SpecSchema>([
  [ENDPOINT_V2_KIND, endpointV2SpecSchema],
  [ENDPOINT_V1_KIND, endpointV1SpecSchema],
  [LOG_EGRESS_KIND, logEgressSpecSchema],
  [HTTP_EGRESS_KIND, httpEgressSpecSchema],
]);

/**
 * Loads the components of one or more module files (StateFun 3.x module.yaml format): YAML streams of
 * documents separated by `---`, each `{kind, spec}`; empty documents are skipped. Unknown kinds and fields
 * are errors (StateFun ignores unknown fields; we reject them so that a misspelt key cannot pass silently).
 *
 * @param files - the files, in order; documents keep their file and document order in the result.
 * @returns every endpoint and egress, fully defaulted and deeply frozen.
 * @throws {@link ConfigError} naming the file, the document (1-based) and its kind, the field, the value
 *   seen and what is accepted; see `docs/errors.md` for the `ERR_CONFIG_*` codes.
 * @example
 * const module = loadModuleFiles([{ path: 'module.yaml', text: await readFile('module.yaml', 'utf8') }]);
 * module.endpoints[0]?.transport.callMs; // 120000
 */
export function loadModuleFiles(files: readonly ModuleFile[]): Readonly<ModuleConfig> {
  const endpoints: EndpointConfig[] = [];
  const egresses: EgressConfig[] = [];
  const bindings = new Map<string, string>();
  const egressIds = new Map<string, string>();

  for (const file of files) {
    for (const context of parseDocuments(file)) {
      const component = loadComponent(context);
      if (component === undefined) continue;
      const source = `${file.path} document ${context.index}`;
      // Egress specs carry their egress kind ('log' | 'http'); endpoint specs get theirs from the document.
      if ('kind' in component) {
        const egress: EgressConfig = { source, ...component };
        claim(
          egressIds,
          egress.id,
          source,
          context,
          ['spec', 'id'],
          'ERR_CONFIG_DUPLICATE_EGRESS_ID',
          (other) =>
            `egress id ${JSON.stringify(egress.id)} is already defined by ${other}; give each egress its own id`,
        );
        egresses.push(egress);
      } else {
        const endpoint: EndpointConfig = {
          source,
          kind: context.kind as EndpointConfig['kind'],
          ...component,
        };
        const isWildcard = endpoint.name === '*';
        const key = isWildcard ? `namespace ${endpoint.namespace}` : `type ${endpoint.functions}`;
        claim(
          bindings,
          key,
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
        endpoints.push(endpoint);
      }
    }
  }

  if (endpoints.length === 0 && egresses.length === 0) {
    const names = files.length === 0 ? '(no module files)' : files.map((f) => f.path).join(', ');
    throw new ConfigError(
      'ERR_CONFIG_EMPTY_MODULE',
      `${names}: no components found. A module file holds YAML documents such as ` +
        `"kind: ${ENDPOINT_V2_KIND}" with a spec; check that the right file was given.`,
    );
  }
  return deepFreeze({ endpoints, egresses });
}

/**
 * Reads and loads one module file; see {@link loadModuleFiles}.
 *
 * @param path - path of the module.yaml file.
 * @returns every endpoint and egress, fully defaulted and deeply frozen.
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

function parseDocuments(file: ModuleFile): DocumentContext[] {
  const lines = new LineCounter();
  // `merge: true` accepts YAML 1.1 merge keys (`<<: *defaults`), which StateFun's SnakeYAML understands.
  const docs = parseAllDocuments(file.text, { lineCounter: lines, merge: true, prettyErrors: true });
  return docs.map((doc, i) => {
    const error = doc.errors[0];
    if (error !== undefined) {
      const at = error.linePos?.[0];
      const where = at === undefined ? file.path : `${file.path}:${at.line}:${at.col}`;
      throw new ConfigError(
        'ERR_CONFIG_YAML_SYNTAX',
        `${where} (document ${i + 1}): invalid YAML: ${error.message.trimEnd()}`,
        { cause: error },
      );
    }
    return { file, index: i + 1, doc, lines };
  });
}

/** Validates one document; `undefined` for an empty document. */
function loadComponent(context: DocumentContext): z.output<SpecSchema> | undefined {
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
  if (NOT_YET_SUPPORTED_KINDS.includes(kind)) {
    throw new ConfigError(
      'ERR_CONFIG_KIND_NOT_YET_SUPPORTED',
      `${describeDocument(context)}: kind ${kind} is recognised but not supported yet; it comes in a later ` +
        'version of Statehouse. Until then, send messages through the HTTP ingress (POST /v1/ingress/...) ' +
        `and read results from a log egress (${LOG_EGRESS_KIND}).`,
    );
  }
  const schema = SPEC_SCHEMAS.get(kind);
  if (schema === undefined) {
    throw new ConfigError(
      'ERR_CONFIG_UNKNOWN_KIND',
      `${describeDocument(context)}: unknown kind ${JSON.stringify(kind)}; ${supportedKinds()}.`,
    );
  }
  context.kind = kind;
  const parsed = schema.safeParse(value['spec'], { reportInput: true });
  if (!parsed.success) {
    const [first, ...others] = parsed.error.issues;
    if (first !== undefined) {
      fail(context, toFieldProblem(first, ['spec']), others.length);
    }
    throw new ConfigError('ERR_CONFIG_INVALID_VALUE', `${describeDocument(context)}: spec is invalid.`);
  }
  return parsed.data;
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

function fail(context: DocumentContext, problem: FieldProblem, moreProblems = 0): never {
  const line = lineOf(context, problem.path);
  const more =
    moreProblems === 0
      ? ''
      : ` (and ${moreProblems} more problem${moreProblems === 1 ? '' : 's'} in this document)`;
  throw new ConfigError(
    problem.code,
    `${describeDocument(context)}: ${formatPath(problem.path)}: ${problem.message}` +
      `${line === undefined ? '' : ` (line ${line})`}${more}`,
  );
}

/** `module.yaml, document 2 (io.statefun.endpoints.v2/http)`. */
function describeDocument(context: DocumentContext): string {
  const kind = context.kind === undefined ? '' : ` (${context.kind})`;
  return `${context.file.path}, document ${context.index}${kind}`;
}

function supportedKinds(): string {
  return `the supported kinds are ${SUPPORTED_KINDS.join(', ')}`;
}

/** The line of the deepest node along `path` that exists in the document (a key's line for map entries). */
function lineOf(context: DocumentContext, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = context.doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
      if (pair === undefined) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      offset = isScalar(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : context.lines.linePos(offset).line;
}
