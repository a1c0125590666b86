/** `statehouse snapshot create|list` and `statehouse restore`. */
import {
  createSnapshot,
  listSnapshots,
  reportOf,
  restoreSnapshot,
  type SnapshotListing,
  type SnapshotReport,
} from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { RESTORE_USAGE, SNAPSHOT_USAGE } from '../usage.js';
import { formatColumns } from './format-table.js';
import { help, runSubcommand } from './subcommands.js';
import { callRuntime } from './runtime-client.js';
import { readSource, readTarget, STORE_FLAGS } from './store-flags.js';

const HELP = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } } as const;

/** Bytes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function rowCount(rows: Readonly<Record<string, number>>, table: string): string {
  return String(rows[table] ?? 0);
}

function describeReport(report: SnapshotReport): string {
  const { rows } = report;
  return [
    `snapshot ${report.id} taken in ${(report.durationMs / 1000).toFixed(1)} s (${formatBytes(report.bytes)})`,
    `  location: ${report.location}`,
    `  state values ${rowCount(rows, 'state')}, pending messages ${rowCount(rows, 'messages')}, timers ${rowCount(rows, 'timers')}, egress records ${rowCount(rows, 'egress')}`,
  ].join('\n');
}

async function create(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { ...STORE_FLAGS, to: { type: 'string' }, ...HELP }, SNAPSHOT_USAGE);
  if (values['help'] === true) return help(SNAPSHOT_USAGE);
  const to = values['to'];
  if (typeof to !== 'string')
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `snapshot create needs --to <directory | s3://bucket/prefix>\n\n${SNAPSHOT_USAGE}`,
    );
  const choice = readSource(values, SNAPSHOT_USAGE);
  const report =
    choice.kind === 'api'
      ? ((await (
          await callRuntime(choice.url, '/v1/admin/snapshots', {
            isLong: true,
            method: 'POST',
            body: JSON.stringify({ to }),
          })
        ).json()) as SnapshotReport)
      : reportOf(await createSnapshot({ to, source: choice.source }));
  console.log(values['json'] === true ? JSON.stringify(report, null, 2) : describeReport(report));
  return 0;
}

function listingRow(l: SnapshotListing): string[] {
  const m = l.manifest;
  if (m === undefined) return [l.id, l.status.toUpperCase(), '', '', '', '', l.problem ?? ''];
  const rows = Object.fromEntries(m.files.map((f) => [f.table, f.rows]));
  const bytes = m.files.reduce((sum, f) => sum + f.bytes, 0);
  return [
    l.id,
    m.createdAt,
    m.source.storeKind,
    formatBytes(bytes),
    rowCount(rows, 'state'),
    rowCount(rows, 'messages'),
    '',
  ];
}

async function list(args: readonly string[]): Promise<number> {
  const { values } = parseFlags(args, { from: { type: 'string' }, ...HELP }, SNAPSHOT_USAGE);
  if (values['help'] === true) return help(SNAPSHOT_USAGE);
  const from = values['from'];
  if (typeof from !== 'string')
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `snapshot list needs --from <directory | s3://bucket/prefix>\n\n${SNAPSHOT_USAGE}`,
    );
  const listings = await listSnapshots(from);
  if (values['json'] === true) console.log(JSON.stringify(listings, null, 2));
  else if (listings.length === 0) console.log(`no snapshot at ${from}`);
  else
    console.log(
      formatColumns([
        ['ID', 'CREATED', 'FROM', 'SIZE', 'STATE VALUES', 'PENDING MSGS', 'PROBLEM'],
        ...listings.map(listingRow),
      ]),
    );
  return 0;
}

/**
 * `statehouse snapshot create|list`.
 *
 * @param argv - the arguments after `snapshot`.
 * @returns the exit code.
 */
export function snapshotCommand(argv: string[]): Promise<number> {
  return runSubcommand('snapshot', argv, SNAPSHOT_USAGE, { create, list });
}

/**
 * `statehouse restore --from <snapshot> (--data-dir DIR | --store URL) [--latest] [--force]`.
 *
 * @param argv - the arguments after `restore`.
 * @returns the exit code.
 */
export async function restoreCommand(argv: string[]): Promise<number> {
  const flags = {
    from: { type: 'string' },
    'data-dir': { type: 'string' },
    store: { type: 'string' },
    latest: { type: 'boolean' },
    force: { type: 'boolean' },
    ...HELP,
  } as const;
  const { values } = parseFlags(argv, flags, RESTORE_USAGE);
  if (values['help'] === true) {
    console.log(RESTORE_USAGE);
    return 0;
  }
  const from = values['from'];
  if (typeof from !== 'string')
    throw new CliUsageError('ERR_CLI_INVALID_FLAG', `restore needs --from <snapshot>\n\n${RESTORE_USAGE}`);
  const target = readTarget(values, RESTORE_USAGE);
  const restored = await restoreSnapshot({
    from,
    target,
    latest: values['latest'] === true,
    force: values['force'] === true,
  });
  if (values['json'] === true) console.log(JSON.stringify(restored, null, 2));
  else
    console.log(
      `restored snapshot ${restored.manifest.id} (taken ${restored.manifest.createdAt} from ${restored.manifest.source.storeKind}) ` +
        `into ${target.kind === 'sqlite' ? target.dataDir : target.where} in ${(restored.durationMs / 1000).toFixed(1)} s: ` +
        `state values ${rowCount(restored.rows, 'state')}, pending messages ${rowCount(restored.rows, 'messages')}, timers ${rowCount(restored.rows, 'timers')}`,
    );
  return 0;
}
