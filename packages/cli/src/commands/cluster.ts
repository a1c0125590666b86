import { parseArgs } from 'node:util';
import { RUNTIME_OPTION_DEFAULTS, readClusterStatus, type ClusterStatus } from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { CLUSTER_USAGE } from '../usage.js';

function formatTable(status: ClusterStatus): string {
  const rows = [
    ['NODE', 'INCARNATION', 'ADVERTISE', 'LIVE', 'HEARTBEAT', 'KEY GROUPS', 'PENDING MSGS', 'PENDING TIMERS'],
  ];
  for (const m of status.members) {
    rows.push([
      m.nodeId,
      m.incarnation.startsWith(`${m.nodeId}#`) ? m.incarnation.slice(m.nodeId.length + 1) : m.incarnation,
      m.advertise,
      m.live ? 'yes' : 'no',
      `${(m.heartbeatAgeMs / 1000).toFixed(1)}s ago`,
      String(m.keyGroups),
      String(m.pendingMessages),
      String(m.pendingTimers),
    ]);
  }
  rows.push([
    '(unowned)',
    '',
    '',
    '',
    '',
    String(status.unowned.keyGroups),
    String(status.unowned.pendingMessages),
    '',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        store: { type: 'string' },
        json: { type: 'boolean' },
        'lease-timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CliUsageError('ERR_CLI_INVALID_FLAG', `${(err as Error).message}\n\n${CLUSTER_USAGE}`);
  }
  if (values.help === true) {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  if (values.store === undefined || !/^postgres(ql)?:\/\//.test(values.store)) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `cluster status needs --store postgres://... (the cluster's database)\n\n${CLUSTER_USAGE}`,
    );
  }
  const leaseMs =
    values['lease-timeout-ms'] === undefined
      ? RUNTIME_OPTION_DEFAULTS.leaseMs
      : Number(values['lease-timeout-ms']);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--lease-timeout-ms must be a positive integer, got ${JSON.stringify(values['lease-timeout-ms'])}`,
    );
  }
  let status: ClusterStatus;
  try {
    status = await readClusterStatus(values.store, leaseMs);
  } catch (err) {
    throw new CliUsageError(
      'ERR_CLI_STORE_UNREACHABLE',
      `cannot read the cluster from ${values.store.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}`,
    );
  }
  console.log(values.json === true ? JSON.stringify(status, null, 2) : formatTable(status));
  return 0;
}
