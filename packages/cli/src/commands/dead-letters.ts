/**
 * `statehouse dead-letters list|show|replay|discard`: the batches a dead-letter policy moved aside, read and acted
 * on through a running runtime's API; a readable table by default, JSON with `--json`.
 */
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { DEAD_LETTERS_USAGE } from '../usage.js';
import { formatColumns } from './format-table.js';
import { callRuntime, runtimeUrl, URL_FLAG } from './runtime-client.js';
import { help, runSubcommand } from './subcommands.js';

const OUTPUT_FLAGS = {
  ...URL_FLAG,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Summary {
  readonly deadLetterId: number;
  readonly functionType: string;
  readonly id: string;
  readonly createdAt: string;
  readonly batchSize: number;
  readonly reason: string;
}

interface Shown extends Summary {
  readonly messages: {
    readonly caller?: string;
    readonly type: string;
    readonly bytes: string;
    readonly json?: unknown;
  }[];
}

/** A line of text cut to `max` characters. */
function cut(text: string, max = 100): string {
  const line = text.replace(/\s+/gu, ' ');
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

async function list(argv: string[]): Promise<number> {
  const flags = { ...OUTPUT_FLAGS, limit: { type: 'string' } } as const;
  const { values } = parseFlags(argv, flags, DEAD_LETTERS_USAGE);
  if (values['help'] === true) return help(DEAD_LETTERS_USAGE);
  const limit = values['limit'] === undefined ? 100 : Number(values['limit']);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--limit must be a whole number ≥ 1, got ${JSON.stringify(values['limit'])}`,
    );
  const answer = (await (
    await callRuntime(runtimeUrl(values), `/v1/dead-letters?limit=${limit}`)
  ).json()) as { deadLetters: Summary[]; truncated: boolean };
  if (values['json'] === true) console.log(JSON.stringify(answer, null, 2));
  else if (answer.deadLetters.length === 0) console.log('no dead letter');
  else {
    const rows = answer.deadLetters.map((d) => [
      String(d.deadLetterId),
      `${d.functionType}/${d.id}`,
      d.createdAt,
      String(d.batchSize),
      cut(d.reason),
    ]);
    console.log(formatColumns([['ID', 'ADDRESS', 'CREATED', 'BATCH', 'REASON'], ...rows]));
    if (answer.truncated) console.log(`(more: raise --limit)`);
  }
  return 0;
}

/** The dead letter id of a command's first argument. */
function idOf(positionals: readonly string[]): string {
  const id = positionals[0];
  if (id === undefined || !/^[1-9][0-9]*$/u.test(id))
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `expected a dead letter id (a number, see "statehouse dead-letters list"), got ${JSON.stringify(id ?? '')}\n\n${DEAD_LETTERS_USAGE}`,
    );
  return id;
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, OUTPUT_FLAGS, DEAD_LETTERS_USAGE, true);
  if (values['help'] === true) return help(DEAD_LETTERS_USAGE);
  const id = idOf(positionals);
  const letter = (await (await callRuntime(runtimeUrl(values), `/v1/dead-letters/${id}`)).json()) as Shown;
  if (values['json'] === true) {
    console.log(JSON.stringify(letter, null, 2));
    return 0;
  }
  console.log(`dead letter ${letter.deadLetterId}: ${letter.functionType}/${letter.id}, ${letter.createdAt}`);
  console.log(`reason: ${letter.reason}`);
  const rows = letter.messages.map((m, i) => [
    String(i + 1),
    m.type,
    m.caller ?? '-',
    cut(m.json === undefined ? `base64:${m.bytes}` : JSON.stringify(m.json)),
  ]);
  console.log(formatColumns([['#', 'TYPE', 'CALLER', 'VALUE'], ...rows]));
  return 0;
}

/** `replay` or `discard`: a POST to the dead letter's action. */
function action(name: 'replay' | 'discard'): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const { values, positionals } = parseFlags(argv, OUTPUT_FLAGS, DEAD_LETTERS_USAGE, true);
    if (values['help'] === true) return help(DEAD_LETTERS_USAGE);
    const id = idOf(positionals);
    const response = await callRuntime(runtimeUrl(values), `/v1/dead-letters/${id}/${name}`, {
      method: 'POST',
      body: '{}',
    });
    const answer = (await response.json()) as { deadLetterId: number; messageIds?: string[] };
    if (values['json'] === true) console.log(JSON.stringify(answer, null, 2));
    else if (name === 'replay')
      console.log(
        `dead letter ${id} replayed: ${answer.messageIds?.length ?? 0} message(s) back in the inbox (ids ${(answer.messageIds ?? []).join(', ')})`,
      );
    else console.log(`dead letter ${id} discarded`);
    return 0;
  };
}

/**
 * `statehouse dead-letters list|show|replay|discard`.
 *
 * @param argv - the arguments after `dead-letters`.
 * @returns the exit code (3 for an unknown dead letter).
 */
export function deadLettersCommand(argv: string[]): Promise<number> {
  return runSubcommand('dead-letters', argv, DEAD_LETTERS_USAGE, {
    list,
    show,
    replay: action('replay'),
    discard: action('discard'),
  });
}
