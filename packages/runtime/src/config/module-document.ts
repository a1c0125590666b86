import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { ConfigError } from '../errors.js';
import { formatPath, type FieldProblem } from './problems.js';
import { summarizeYamlError } from './yaml-error.js';

// The YAML documents of module files, and errors that point into them (file, document, kind, field, line).

/** The text of one module file and the path to name it by in errors and `source` fields. */
export interface ModuleFile {
  /** The file's path (or any name) as it should appear in messages, e.g. `module.yaml`. */
  readonly path: string;
  /** The file's YAML text. */
  readonly text: string;
}

/** One YAML document while it is being loaded. */
export interface DocumentContext {
  readonly file: ModuleFile;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly doc: Document;
  readonly lines: LineCounter;
  kind?: string;
}

/** Parses a module file into its documents; YAML syntax errors are thrown with file, line and column. */
export function parseDocuments(file: ModuleFile): DocumentContext[] {
  const lines = new LineCounter();
  // `merge: true` accepts YAML 1.1 merge keys (`<<: *defaults`), which StateFun's SnakeYAML understands.
  const docs = parseAllDocuments(file.text, { lineCounter: lines, merge: true, prettyErrors: true });
  // Errors are reported by position and code only: the yaml library's message quotes the source line, which may hold
  // a password (e.g. a Kafka `sasl.password`).
  return docs.map((doc, i) => {
    const error = doc.errors[0];
    if (error !== undefined) {
      const { line, col, reason } = summarizeYamlError(error);
      const where = line === undefined ? file.path : `${file.path}:${line}:${col ?? 1}`;
      throw new ConfigError(
        'ERR_CONFIG_YAML_SYNTAX',
        `${where} (document ${i + 1}): invalid YAML: ${reason}`,
      );
    }
    checkScalarKeys(doc, file.path, i + 1, lines);
    return { file, index: i + 1, doc, lines };
  });
}

/**
 * Refuses a mapping key that is not a plain value — a mapping or a sequence (`? [a, b]: c`), an alias, a tagged
 * value that is not text (`!!binary`): no module field has one, and turning it into JSON would stringify it (with a
 * Node.js process warning on the runtime's output), so it is an error where it is.
 *
 * @throws {@link ConfigError} `ERR_CONFIG_YAML_SYNTAX`
 */
function checkScalarKeys(doc: Document, path: string, index: number, lines: LineCounter): void {
  visit(doc, {
    Pair(_, pair) {
      const key: unknown = pair.key;
      if (key === null || (isScalar(key) && (key.value === null || typeof key.value !== 'object'))) return;
      const offset = (key as { range?: readonly number[] }).range?.[0];
      const at = offset === undefined ? undefined : lines.linePos(offset);
      throw new ConfigError(
        'ERR_CONFIG_YAML_SYNTAX',
        `${at === undefined ? path : `${path}:${at.line}:${at.col}`} (document ${index}): a mapping key is not a ` +
          'plain name (it is a mapping, a list, an alias or a tagged value such as !!binary); write keys as plain names',
      );
    },
  });
}

/** Throws the {@link ConfigError} of a problem, naming the document, the field and its line. */
export function fail(context: DocumentContext, problem: FieldProblem, moreProblems = 0): never {
  const line = lineOf(context, problem.path);
  const entry = problem.entryKey === undefined ? '' : ` (${problem.entryKey})`;
  const more =
    moreProblems === 0
      ? ''
      : ` (and ${moreProblems} more problem${moreProblems === 1 ? '' : 's'} in this document)`;
  throw new ConfigError(
    problem.code,
    `${describeDocument(context)}: ${formatPath(problem.path)}${entry}: ${problem.message}` +
      `${line === undefined ? '' : ` (line ${line})`}${more}`,
  );
}

/** `module.yaml, document 2 (io.statefun.endpoints.v2/http)`. */
export function describeDocument(context: DocumentContext): string {
  const kind = context.kind === undefined ? '' : ` (${context.kind})`;
  return `${context.file.path}, document ${context.index}${kind}`;
}

/** `module.yaml document 2`, the `source` of a component. */
export function sourceOf(context: DocumentContext): string {
  return `${context.file.path} document ${context.index}`;
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
