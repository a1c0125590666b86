/** The results table, the machine and commit description, and the section appended to bench/RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';

import { ceilingRatio, isMet, type Row } from './results.js';

/** The machine a run was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
}

/** @returns CPU model, cores, memory, Node version and kernel release. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
  };
}

/**
 * The commit of the working tree: `git rev-parse --short HEAD`, plus ` dirty` when `git status --porcelain`
 * lists anything. Read-only (`--no-optional-locks`, so it never takes the index lock).
 *
 * @param cwd - the repository.
 * @returns e.g. `9ad2e7c dirty`, or `unknown` outside a git checkout.
 */
export function commitInfo(cwd: string): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', ['--no-optional-locks', ...args], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain') === '' ? head : `${head} dirty`;
  } catch {
    return 'unknown';
  }
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return loadavg()[0] ?? Number.NaN;
}

/**
 * A number as the tables show it: ms with 2 decimals below 10, 1 below 100, then whole; MB and msgs with 1.
 *
 * @param value - the number (NaN shows as `n/a`).
 * @param unit - its unit.
 * @returns the text, without the unit.
 */
export function formatNumber(value: number, unit: string): string {
  if (Number.isNaN(value)) return 'n/a';
  if (unit === 'ms')
    return value < 10
      ? value.toFixed(2)
      : value < 100
        ? value.toFixed(1)
        : Math.round(value).toLocaleString('en-US');
  if (unit === 'MB' || unit === 'msgs') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** The value with its unit, `≥` when it is a lower bound. */
export function formatValue(row: Row): string {
  return `${row.isLowerBound === true ? '≥ ' : ''}${formatNumber(row.value, row.unit)} ${row.unit}`.trim();
}

function formatTarget(row: Row): string {
  const t = row.target;
  if (t === undefined) return '';
  const parts = [`${t.op === '>=' ? '≥' : '≤'} ${formatNumber(t.value, row.unit)} ${row.unit}`.trim()];
  if (t.minCeilingRatio !== undefined) parts.push(`≥ ${Math.round(t.minCeilingRatio * 100)}% of ceiling`);
  return parts.join(' and ') + (t.note === undefined ? '' : ` ${t.note}`);
}

function formatMet(row: Row): string {
  if (row.target?.isApplicable === false) return 'n/a';
  const met = isMet(row);
  return met === undefined ? '' : met ? 'met' : 'MISSED';
}

function formatRatio(row: Row): string {
  const ratio = ceilingRatio(row);
  return ratio === undefined ? '' : `${ratio.toFixed(2)}×`;
}

/**
 * A Markdown table: workload, flavour, metric, value, value ÷ ceiling, target, met.
 *
 * @param rows - the results.
 * @returns the table text.
 */
export function formatTable(rows: readonly Row[]): string {
  const header = ['workload', 'flavour', 'metric', 'value', '÷ ceiling', 'target', 'met?'];
  const body = rows.map((r) => [
    r.workload,
    r.flavour,
    r.metric,
    formatValue(r),
    formatRatio(r),
    formatTarget(r),
    formatMet(r),
  ]);
  return formatMarkdownTable(header, body);
}

/**
 * A Markdown table with padded columns.
 *
 * @param header - the column names.
 * @param body - the rows, one cell per column.
 * @returns the table text.
 */
export function formatMarkdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** What describes one run in RESULTS.md. */
export interface RunDescription {
  readonly date: Date;
  readonly profile: string;
  readonly machine: MachineInfo;
  readonly commit: string;
  readonly command: string;
  readonly wallSeconds: number;
  readonly loadAverageAtStart: number;
  /** CPU cores used on average by processes other than the bench and its children. */
  readonly otherLoadCores: number;
  readonly isContended: boolean;
}

const RESULTS_HEADER = `# Benchmark results

Appended by \`npm run bench\` (see bench/README.md for what each workload measures). Numbers from a
contended run (other processes were using the CPU, see "Other load") are lower bounds for throughput and upper
bounds for latency.

`;

/**
 * Appends a run's section (creating the file with a header the first time).
 *
 * @param file - bench/RESULTS.md.
 * @param run - date, machine, commit, command and contention.
 * @param table - the results table.
 * @param notes - bullet points printed under the table.
 */
export async function appendResults(
  file: string,
  run: RunDescription,
  table: string,
  notes: readonly string[],
): Promise<void> {
  if (!existsSync(file)) await writeFile(file, RESULTS_HEADER);
  const m = run.machine;
  const section = [
    `## ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${run.profile}${run.isContended ? ' (contended)' : ''}`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`,
    `- Commit: ${run.commit}`,
    `- Command: \`${run.command}\``,
    `- Wall time: ${Math.round(run.wallSeconds)} s. Load average at start: ${run.loadAverageAtStart.toFixed(2)}. ` +
      `Other load during the run: ${run.otherLoadCores.toFixed(2)} cores on average (machine busy time minus the bench's own processes)`,
    '',
    table,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '',
  ].join('\n');
  await appendFile(file, section);
}
