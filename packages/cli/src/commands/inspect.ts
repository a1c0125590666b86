/**
 * Reading a running runtime for daily work: `statehouse state get`, `statehouse egress tail [-f]` and
 * `statehouse stalled`, each a readable table by default and JSON with `--json`.
 */
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { EGRESS_USAGE, STALLED_USAGE, STATE_USAGE } from '../usage.js';
import { formatColumns } from './format-table.js';
import { callRuntime, runtimeUrl, URL_FLAG } from './runtime-client.js';
import { addressPath, parseAddress } from './send.js';
import { help, runSubcommand } from './subcommands.js';

const OUTPUT_FLAGS = {
  ...URL_FLAG,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A typed value as the API answers it. */
interface ApiValue {
  readonly type: string;
  readonly bytes: string;
  readonly json?: unknown;
}

/** A value for a table cell: its JSON when decoded, else its bytes in base64, cut to a line. */
function cell(value: ApiValue): string {
  const text = value.json === undefined ? `base64:${value.bytes}` : JSON.stringify(value.json);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/**
 * `statehouse state get namespace/name/id`: the address's committed state.
 *
 * @param argv - the arguments after `state get`.
 * @returns the exit code (3 when the address has no state).
 */
export async function stateGetCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, OUTPUT_FLAGS, STATE_USAGE, true);
  if (values['help'] === true) return help(STATE_USAGE);
  const address = parseAddress(positionals[0], STATE_USAGE);
  const response = await callRuntime(runtimeUrl(values), addressPath('state', address));
  const { values: state } = (await response.json()) as { values: Record<string, ApiValue> };
  if (values['json'] === true) console.log(JSON.stringify(state, null, 2));
  else
    console.log(
      formatColumns([
        ['NAME', 'TYPE', 'VALUE'],
        ...Object.entries(state).map(([n, v]) => [n, v.type, cell(v)]),
      ]),
    );
  return 0;
}

interface EgressPage {
  readonly records: (ApiValue & { readonly offset: number })[];
  readonly next: number;
}

/** How long one long poll of `egress tail -f` waits for records, ms. */
const FOLLOW_WAIT_MS = 10_000;

/**
 * `statehouse egress tail namespace/name [-n N] [-f]`: the last N records of a log egress, then (with `-f`) every
 * new one as it is committed, until interrupted.
 *
 * @param argv - the arguments after `egress tail`.
 * @returns the exit code (3 for an unknown egress).
 */
async function egressTail(argv: string[]): Promise<number> {
  const flags = {
    ...OUTPUT_FLAGS,
    lines: { type: 'string', short: 'n' },
    follow: { type: 'boolean', short: 'f' },
  } as const;
  const { values, positionals } = parseFlags(argv, flags, EGRESS_USAGE, true);
  if (values['help'] === true) return help(EGRESS_USAGE);
  const [namespace, name, ...rest] = (positionals[0] ?? '').split('/');
  if (!namespace || !name || rest.length > 0)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `expected an egress namespace/name, got ${JSON.stringify(positionals[0] ?? '')}\n\n${EGRESS_USAGE}`,
    );
  const lines = Number(values['lines'] ?? 10);
  if (!Number.isInteger(lines) || lines < 0)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `-n must be a whole number ≥ 0, got ${JSON.stringify(values['lines'])}`,
    );
  const url = runtimeUrl(values);
  const path = `/v1/egress/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  const print = (page: EgressPage): void => {
    for (const r of page.records)
      console.log(values['json'] === true ? JSON.stringify(r) : `${r.offset}  ${r.type}  ${cell(r)}`);
  };
  let page = (await (
    await callRuntime(url, `${path}?from=${-lines}&limit=${Math.max(lines, 1)}`)
  ).json()) as EgressPage;
  if (lines > 0) print(page);
  while (values['follow'] === true) {
    page = (await (
      await callRuntime(url, `${path}?from=${page.next}&limit=1000&wait=${FOLLOW_WAIT_MS}`)
    ).json()) as EgressPage;
    print(page);
  }
  return 0;
}

/**
 * `statehouse egress tail`.
 *
 * @param argv - the arguments after `egress`.
 * @returns the exit code.
 */
export function egressCommand(argv: string[]): Promise<number> {
  return runSubcommand('egress', argv, EGRESS_USAGE, { tail: egressTail });
}

interface Stalled {
  readonly functionType: string;
  readonly id: string;
  readonly since: string;
  readonly attempts: number;
  readonly batchSize: number;
  readonly lastError: { readonly code: string; readonly message: string };
}

/**
 * `statehouse stalled [--type namespace/name]`: addresses whose invocations keep failing, oldest first.
 *
 * @param argv - the arguments after `stalled`.
 * @returns the exit code.
 */
export async function stalledCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...OUTPUT_FLAGS, type: { type: 'string' } }, STALLED_USAGE);
  if (values['help'] === true) return help(STALLED_USAGE);
  const type = values['type'];
  const query = typeof type === 'string' ? `?functionType=${encodeURIComponent(type)}` : '';
  const answer = (await (await callRuntime(runtimeUrl(values), `/v1/stalled${query}`)).json()) as {
    stalled: Stalled[];
    total: number;
  };
  if (values['json'] === true) console.log(JSON.stringify(answer, null, 2));
  else if (answer.total === 0) console.log('no stalled address');
  else {
    const rows = answer.stalled.map((s) => [
      `${s.functionType}/${s.id}`,
      s.since,
      String(s.attempts),
      String(s.batchSize),
      `${s.lastError.code}: ${s.lastError.message}`.slice(0, 100),
    ]);
    console.log(formatColumns([['ADDRESS', 'SINCE', 'ATTEMPTS', 'BATCH', 'LAST ERROR'], ...rows]));
    if (answer.total > answer.stalled.length) console.log(`(${answer.total - answer.stalled.length} more)`);
  }
  return 0;
}
