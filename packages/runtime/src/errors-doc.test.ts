/**
 * Keeps `docs/errors.md` and the error codes of the runtime in step (CONTRIBUTING.md, "Error codes"): every
 * `ERR_<AREA>_<WHAT>` string literal in `packages/runtime/src` (tests excluded) has a row in the doc, every
 * row names a code that still exists, and retired codes (the doc's "Retired" section) are never used again.
 * The typed union of the runtime's codes (`RUNTIME_ERROR_CODES`) lists exactly the codes the runtime uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { RUNTIME_ERROR_CODES } from './errors.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = join(REPO, 'docs', 'errors.md');
// Every package whose codes users meet: the runtime, the CLI and the SDK.
const SOURCES = [SRC, join(REPO, 'packages', 'cli', 'src'), join(REPO, 'packages', 'sdk', 'src')];
const CODE = /^ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+$/u;
/**
 * Declarations that only list codes for the typed union: a code written there is declared, not used, so
 * that a code no error carries any more is found stale.
 */
const CODE_LISTS = new Set(['CODES_OUTSIDE_STORE']);
/** Declarations that name Node.js's own error codes, which the runtime compares with and never raises. */
const NODE_CODE_LISTS = new Set(['NODE_HTTP_CODES']);

interface CodeUse {
  readonly code: string;
  /** `path:line`, relative to the repository. */
  readonly at: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    const isSource = entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts');
    const isTest = /\.test(-d)?\.ts$/u.test(entry.name);
    return isSource && !isTest ? [path] : [];
  });
}

/**
 * String literals that are error codes, found by parsing (so comments, `ERR_` inside longer strings and
 * quoting style do not matter), plus template literals that start with `ERR_`, which would hide a code.
 */
function scanCodes(): { uses: CodeUse[]; dynamic: string[] } {
  const uses: CodeUse[] = [];
  const dynamic: string[] = [];
  for (const path of SOURCES.flatMap((dir) => sourceFiles(dir))) {
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const at = (node: ts.Node): string =>
      `${relative(REPO, path)}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        (CODE_LISTS.has(node.name.text) || NODE_CODE_LISTS.has(node.name.text))
      )
        return;
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CODE.test(node.text)) {
        uses.push({ code: node.text, at: at(node) });
      } else if (ts.isTemplateExpression(node) && /^ERR_[A-Z0-9_]*$/u.test(node.head.text)) {
        dynamic.push(at(node));
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { uses, dynamic };
}

interface DocRow {
  readonly code: string;
  readonly line: number;
  readonly meaning: string;
  readonly fix: string;
  readonly retired: boolean;
}

/** Table rows of docs/errors.md whose first cell is a code; rows under a "Retired" heading are retired. */
function readDoc(): DocRow[] {
  const rows: DocRow[] = [];
  let retired = false;
  readFileSync(DOC, 'utf8')
    .split(/\r?\n/u)
    .forEach((text, i) => {
      const heading = /^#{1,6}\s+(.*)$/u.exec(text);
      if (heading) retired = /\bretired\b/iu.test(heading[1] ?? '');
      if (!text.trimStart().startsWith('|')) return;
      const cells = text
        .trim()
        .replace(/^\||\|$/gu, '')
        .split('|')
        .map((cell) => cell.trim());
      const code = /^`?(ERR_[A-Z0-9_]+)`?$/u.exec(cells[0] ?? '')?.[1];
      if (code === undefined) return;
      rows.push({ code, line: i + 1, meaning: cells[1] ?? '', fix: cells[2] ?? '', retired });
    });
  return rows;
}

describe('docs/errors.md', () => {
  const { uses, dynamic } = scanCodes();
  const rows = readDoc();
  const active = new Set(rows.filter((r) => !r.retired).map((r) => r.code));
  const retired = new Set(rows.filter((r) => r.retired).map((r) => r.code));
  const used = new Map<string, string[]>();
  for (const use of uses) used.set(use.code, [...(used.get(use.code) ?? []), use.at]);

  it('finds codes in the source and rows in the doc (the scan itself works)', () => {
    expect(uses.length).toBeGreaterThan(0);
    expect(active.size).toBeGreaterThan(0);
  });

  it('documents every error code used in packages/runtime/src', () => {
    const missing = [...used]
      .filter(([code]) => !active.has(code))
      .map(([code, at]) => `${code} (${at.join(', ')})`);
    expect(
      missing,
      `add a row (Code | Meaning | How to fix) to docs/errors.md for:\n${missing.join('\n')}`,
    ).toEqual([]);
  });

  it('documents only codes that still exist (move removed ones to the Retired section)', () => {
    const stale = [...active].filter((code) => !used.has(code));
    expect(stale, `these codes are documented but no longer used; move them under "## Retired"`).toEqual([]);
  });

  it('never reuses a retired code', () => {
    const reused = [...retired]
      .filter((code) => used.has(code))
      .map((code) => `${code} (${used.get(code)?.join(', ')})`);
    expect(reused, 'retired codes must not be used again; pick a new code').toEqual([]);
  });

  it('has one complete row per code', () => {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const row of rows) {
      const first = seen.get(row.code);
      if (first !== undefined) problems.push(`${row.code} is listed on lines ${first} and ${row.line}`);
      seen.set(row.code, row.line);
      if (row.meaning === '' || (!row.retired && row.fix === '')) {
        problems.push(`${row.code} (line ${row.line}) needs a meaning and a fix`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('types every code of packages/runtime/src in RUNTIME_ERROR_CODES, and only those', () => {
    const union = new Set<string>(RUNTIME_ERROR_CODES);
    const runtimeUses = uses.filter((use) => use.at.startsWith('packages/runtime/'));
    const untyped = runtimeUses.filter((use) => !union.has(use.code)).map((use) => `${use.code} (${use.at})`);
    expect(untyped, 'add these codes to RUNTIME_ERROR_CODES in packages/runtime/src/errors.ts').toEqual([]);
    const runtimeCodes = new Set(runtimeUses.map((use) => use.code));
    const unused = [...union].filter((code) => !runtimeCodes.has(code));
    expect(unused, 'no error carries these codes any more: remove them from RUNTIME_ERROR_CODES').toEqual([]);
    expect(new Set(RUNTIME_ERROR_CODES).size, 'RUNTIME_ERROR_CODES lists a code twice').toBe(
      RUNTIME_ERROR_CODES.length,
    );
  });

  it('builds error codes from literals only, so that they can be checked', () => {
    expect(dynamic, "write the code as a string literal, e.g. 'ERR_STORE_BUSY'").toEqual([]);
  });
});
