import type { YAMLError } from 'yaml';

// YAML syntax errors without the source text: the yaml library's messages quote the offending line (and some quote
// parts of a value, e.g. an escape sequence), which may hold a token or a password, so only the position and a fixed
// description of the error code are reported.

const REASONS: Readonly<Record<string, string>> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias is invalid',
  BAD_DIRECTIVE: 'a directive (%…) is invalid',
  BAD_DQ_ESCAPE: 'a double-quoted value has an invalid escape sequence (write \\\\ for a backslash)',
  BAD_INDENT: 'the indentation is wrong, or a [ or { is not closed',
  BAD_PROP_ORDER: 'anchors and tags are in the wrong place',
  BAD_SCALAR_START: 'a plain value starts with a reserved character (quote the value)',
  BLOCK_AS_IMPLICIT_KEY: 'a nested block cannot be a key',
  BLOCK_IN_FLOW: 'a block collection cannot be inside [...] or {...}',
  DUPLICATE_KEY: 'a mapping key is repeated (map keys must be unique)',
  IMPOSSIBLE: 'the document cannot be parsed',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_CHAR: 'a character is missing (a closing quote or bracket, a comma, or a space after ":")',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines (check for a missing ":" or a bad indentation)',
  MULTIPLE_ANCHORS: 'a node has several anchors',
  MULTIPLE_DOCS: 'the file has several documents (---), one is expected',
  MULTIPLE_TAGS: 'a node has several tags',
  NON_STRING_KEY: 'a key is not a string',
  RESOURCE_EXHAUSTION: 'the document expands too much (too many aliases)',
  TAB_AS_INDENT: 'a tab is used for indentation (use spaces)',
  TAG_RESOLVE_FAILED: 'a tag (!…) is unknown',
  UNEXPECTED_TOKEN: 'unexpected characters (quote a value holding ":", "#", "[" or "{")',
  BAD_COLLECTION_TYPE: 'a tag does not fit its collection',
};

/** A YAML error's position, if known, as `line L, column C`, 1-based. */
export interface YamlErrorSummary {
  readonly line?: number;
  readonly col?: number;
  /** What is wrong, in words that never quote the source, e.g. `the indentation is wrong (BAD_INDENT)`. */
  readonly reason: string;
}

/**
 * Describes a YAML parse error without quoting the document.
 *
 * @param err - an error thrown or collected by the yaml library (anything else gives a generic reason).
 * @returns its position and a reason free of source text.
 */
export function summarizeYamlError(err: unknown): YamlErrorSummary {
  const e = err as Partial<YAMLError> | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const reason =
    code === undefined
      ? 'the text is not valid YAML'
      : `${REASONS[code] ?? 'the text is not valid YAML'} (${code})`;
  const at = e?.linePos?.[0];
  return at === undefined ? { reason } : { line: at.line, col: at.col, reason };
}

/** {@link summarizeYamlError} as text: `line 3, column 7: the indentation is wrong (BAD_INDENT)`. */
export function describeYamlError(err: unknown): string {
  const { line, col, reason } = summarizeYamlError(err);
  return line === undefined ? reason : `line ${line}, column ${col ?? 1}: ${reason}`;
}
