import { readClusterStatus, redactUrl, type ClusterStatus } from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { parseFlags, resolveFlagValues, type CommandFlags } from '../parse-flags.js';
import { RUN_PARSE_OPTIONS } from '../run-flags.js';
import { CLUSTER_USAGE } from '../usage.js';
import { formatColumns } from './format-table.js';

/** An age in ms as operators read it: `4.2s`, `12.5m`, `3.1h`. */
function formatAge(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/** The age of the oldest pending message, or `-` when nothing waits. */
function oldestOf(backlog: {
  readonly pendingMessages: number;
  readonly oldestMessageAgeMs: number;
}): string {
  return backlog.pendingMessages === 0 ? '-' : formatAge(backlog.oldestMessageAgeMs);
}

/** One line per member, then one for the key groups nobody owns. */
function memberRows(status: ClusterStatus): string[][] {
  const header = [
    'NODE',
    'INCARNATION',
    'ADVERTISE',
    'LIVE',
    'HEARTBEAT',
    'KEY GROUPS',
    'PENDING MSGS',
    'OLDEST MSG',
    'PENDING TIMERS',
  ];
  const members = status.members.map((m) => [
    m.nodeId,
    m.incarnation.startsWith(`${m.nodeId}#`) ? m.incarnation.slice(m.nodeId.length + 1) : m.incarnation,
    m.advertise,
    m.live ? 'yes' : 'no',
    `${(m.heartbeatAgeMs / 1000).toFixed(1)}s ago`,
    String(m.keyGroups),
    String(m.pendingMessages),
    oldestOf(m),
    String(m.pendingTimers),
  ]);
  const { unowned } = status;
  const rest = ['(unowned)', '', '', '', '', String(unowned.keyGroups), String(unowned.pendingMessages)];
  return [header, ...members, [...rest, oldestOf(unowned), '']];
}

/** One line per member (or the unowned key groups) and function type with pending messages. */
function backlogRows(status: ClusterStatus): string[][] {
  const owners = [
    ...status.members.map((m) => ({ name: m.nodeId, backlog: m.backlog })),
    { name: '(unowned)', backlog: status.unowned.backlog },
  ];
  return owners.flatMap((owner) =>
    owner.backlog.map((b) => [owner.name, b.functionType, String(b.messages), formatAge(b.oldestAgeMs)]),
  );
}

/**
 * The report as tables: one line per member (and the unowned key groups), then, when messages wait, one line
 * per member and function type with its backlog.
 *
 * @param status - the report of `readClusterStatus`.
 * @returns the text `statehouse cluster status` prints.
 */
export function formatClusterStatus(status: ClusterStatus): string {
  const members = formatColumns(memberRows(status));
  const backlog = backlogRows(status);
  if (backlog.length === 0) return members;
  return `${members}\n\n${formatColumns([['NODE', 'FUNCTION TYPE', 'PENDING MSGS', 'OLDEST MSG'], ...backlog])}`;
}

/** The flags of `cluster status`: `--store` and `--lease-timeout-ms` are those of `run`, with the same checks. */
const STATUS_PARSE_OPTIONS: CommandFlags = {
  store: RUN_PARSE_OPTIONS['store']!,
  'lease-timeout-ms': RUN_PARSE_OPTIONS['lease-timeout-ms']!,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** What `cluster status` was asked for, checked. */
interface StatusRequest {
  readonly storeUrl: string;
  readonly leaseMs: number;
  readonly json: boolean;
}

/**
 * Parses and checks the flags of `cluster status` (see `parse-flags.ts`, shared with `run`).
 *
 * @returns the request, or `'help'` for `--help`.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` without `--store`, for an unknown flag or a flag given
 *   twice; `ConfigError` `ERR_CONFIG_INVALID_OPTION` for a value `run` would refuse too, naming the flag.
 */
function readStatusFlags(args: readonly string[]): StatusRequest | 'help' {
  const { values } = parseFlags(args, STATUS_PARSE_OPTIONS, CLUSTER_USAGE);
  if (values['help'] === true) return 'help';
  if (values['store'] === undefined) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `cluster status needs --store postgres://... (the cluster's database)\n\n${CLUSTER_USAGE}`,
    );
  }
  const { storeUrl, leaseMs } = resolveFlagValues(values);
  // resolveFlagValues checked that --store is a postgres:// URL.
  return { storeUrl: storeUrl!, leaseMs, json: values['json'] === true };
}

/**
 * `statehouse cluster status --store URL`: members, key groups per member and backlog.
 *
 * @param argv - the arguments after `cluster`.
 * @returns the exit code.
 */
export async function clusterCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(CLUSTER_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'status')
    throw new CliUsageError(
      'ERR_CLI_UNKNOWN_COMMAND',
      `unknown cluster command ${JSON.stringify(sub)}\n\n${CLUSTER_USAGE}`,
    );
  const request = readStatusFlags(rest);
  if (request === 'help') {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  let status: ClusterStatus;
  try {
    status = await readClusterStatus(request.storeUrl, request.leaseMs);
  } catch (err) {
    throw new CliUsageError(
      'ERR_CLI_STORE_UNREACHABLE',
      `cannot read the cluster from ${redactUrl(request.storeUrl)}: ${(err as Error).message}`,
    );
  }
  console.log(request.json ? JSON.stringify(status, null, 2) : formatClusterStatus(status));
  return 0;
}
