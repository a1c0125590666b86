import type { z } from 'zod';
import type { ConfigErrorCode } from '../errors.js';

/**
 * The `code` of every {@link ConfigError} that module.yaml loading throws: every config code but those of the
 * runtime options.
 */
export type ModuleConfigErrorCode = Exclude<
  ConfigErrorCode,
  'ERR_CONFIG_INVALID_OPTION' | 'ERR_CONFIG_LISTEN_FAILED'
>;

/** One thing wrong in a document: the field, what is wrong with it, and the error code to throw. */
export interface FieldProblem {
  readonly code: ModuleConfigErrorCode;
  /** Path from the document root, e.g. `['spec', 'transport', 'call']`. */
  readonly path: readonly PropertyKey[];
  /** What is accepted, and the value seen. */
  readonly message: string;
  /**
   * The key of the single-entry mapping at `path`, for lists of `- key: value` (Kafka `properties`): shown after
   * the path, `spec.properties[2] (ssl.keystore.location)`, since a key with dots would read as nesting.
   */
  readonly entryKey?: string;
}

/** `params` of the custom zod issues our schemas raise, read back by {@link toFieldProblem}. */
export interface ProblemParams {
  readonly configCode: ModuleConfigErrorCode;
  /** Whether to append the value seen (`, got …`) to the message. @default true */
  readonly showInput?: boolean;
  /** See {@link FieldProblem.entryKey}. */
  readonly entryKey?: string;
}

/**
 * Raises a problem from inside a zod transform or refinement.
 *
 * @param ctx - the zod context.
 * @param configCode - the error code.
 * @param message - what is accepted (the value seen is appended unless `showInput` is false).
 * @param input - the value seen.
 * @param extra - a relative path (refinements on an object), whether to show the input, and the key of the
 *   single-entry mapping the problem is about ({@link FieldProblem.entryKey}).
 */
export function raise(
  ctx: Pick<z.core.$RefinementCtx, 'addIssue'>,
  configCode: ModuleConfigErrorCode,
  message: string,
  input: unknown,
  extra: { path?: PropertyKey[]; showInput?: boolean; entryKey?: string } = {},
): void {
  const params: ProblemParams = {
    configCode,
    ...(extra.showInput === undefined ? {} : { showInput: extra.showInput }),
    ...(extra.entryKey === undefined ? {} : { entryKey: extra.entryKey }),
  };
  ctx.addIssue({ code: 'custom', message, input, params, ...(extra.path ? { path: extra.path } : {}) });
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
};

/**
 * Turns a zod issue (parsed with `reportInput: true`) into a problem that names the field, what is accepted
 * and the value seen.
 *
 * @param issue - the issue.
 * @param pathPrefix - the path of the value that was parsed, from the document root.
 * @returns the problem.
 */
export function toFieldProblem(issue: z.core.$ZodIssue, pathPrefix: readonly PropertyKey[]): FieldProblem {
  const path = [...pathPrefix, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        code: 'ERR_CONFIG_UNKNOWN_FIELD',
        path: [...path, issue.keys[0] ?? ''],
        message: issue.message,
      };
    case 'invalid_type':
      return issue.input === undefined
        ? { code: 'ERR_CONFIG_MISSING_FIELD', path, message: 'is required' }
        : {
            code: 'ERR_CONFIG_INVALID_VALUE',
            path,
            message: `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`,
          };
    case 'invalid_value':
      return {
        code: 'ERR_CONFIG_INVALID_VALUE',
        path,
        message: `expected ${oneOf(issue.values)}, got ${describeValue(issue.input)}`,
      };
    case 'invalid_union': {
      // A discriminated union (transport.type) whose discriminator matched no option.
      const discriminator = 'discriminator' in issue ? issue.discriminator : undefined;
      const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : [];
      if (typeof discriminator === 'string' && options.length > 0) {
        const seen = isRecord(issue.input) ? issue.input[discriminator] : undefined;
        return seen === undefined
          ? { code: 'ERR_CONFIG_MISSING_FIELD', path, message: `is required; expected ${oneOf(options)}` }
          : {
              code: 'ERR_CONFIG_INVALID_VALUE',
              path,
              message: `expected ${oneOf(options)}, got ${describeValue(seen)}`,
            };
      }
      return { code: 'ERR_CONFIG_INVALID_VALUE', path, message: withInput(issue.message, issue.input) };
    }
    case 'custom': {
      const params = issue.params as ProblemParams | undefined;
      const message = params?.showInput === false ? issue.message : withInput(issue.message, issue.input);
      const code = params?.configCode ?? 'ERR_CONFIG_INVALID_VALUE';
      return params?.entryKey === undefined
        ? { code, path, message }
        : { code, path, message, entryKey: params.entryKey };
    }
    default:
      return { code: 'ERR_CONFIG_INVALID_VALUE', path, message: withInput(issue.message, issue.input) };
  }
}

/**
 * Formats a field path as written in YAML: `spec.transport.timeouts.call`, `spec.items[0]`.
 *
 * @param path - the path.
 * @returns the dotted path.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/**
 * Describes a value seen in a document, briefly.
 *
 * @param value - the value.
 * @returns e.g. `"ten"`, `12`, `a mapping`, `a list`, `null`.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (value === null) return 'null (an empty value)';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value === 'object' ? 'a mapping' : typeof value;
}

/**
 * Whether a value is a plain mapping.
 *
 * @param value - any value.
 * @returns true for non-null, non-array objects.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withInput(message: string, input: unknown): string {
  return input === undefined ? message : `${message}, got ${describeValue(input)}`;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map(describeValue);
  return shown.length === 1 ? (shown[0] ?? '') : `one of ${shown.join(', ')}`;
}
