/** `statehouse state get|export|import`: one address's state, and state out of a store as JSON lines and back in. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { exportState, importState } from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { STATE_USAGE } from '../usage.js';
import { stateGetCommand } from './inspect.js';
import { help, runSubcommand } from './subcommands.js';
import { callRuntime } from './runtime-client.js';
import { readSource, readTarget, STORE_FLAGS } from './store-flags.js';

/** Writes lines to a file, or to stdout, waiting when the stream is full. */
function lineWriter(path: string | undefined): {
  write: (line: string) => Promise<void>;
  end: () => Promise<void>;
} {
  const out: NodeJS.WritableStream | WriteStream =
    path === undefined ? process.stdout : createWriteStream(path);
  return {
    write: async (line) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    },
    end: async () => {
      if (path === undefined) return;
      out.end();
      await once(out, 'finish');
    },
  };
}

async function exportCommand(args: readonly string[]): Promise<number> {
  const flags = {
    ...STORE_FLAGS,
    type: { type: 'string' },
    to: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  const { values } = parseFlags(args, flags, STATE_USAGE);
  if (values['help'] === true) return help(STATE_USAGE);
  const functionType = typeof values['type'] === 'string' ? values['type'] : undefined;
  const to = typeof values['to'] === 'string' ? values['to'] : undefined;
  const choice = readSource(values, STATE_USAGE);
  const out = lineWriter(to);
  let addresses = 0;
  if (choice.kind === 'api') {
    const query = functionType === undefined ? '' : `?functionType=${encodeURIComponent(functionType)}`;
    const response = await callRuntime(choice.url, `/v1/admin/state${query}`);
    let rest = '';
    // Streaming: a character whose bytes span two chunks is decoded once both are in.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for await (const chunk of response.body!) {
      const lines = (rest + decoder.decode(chunk as Uint8Array, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        await out.write(line);
        addresses += 1;
      }
    }
  } else {
    addresses = await exportState({ source: choice.source, functionType, write: out.write });
  }
  await out.end();
  if (to !== undefined) console.error(`exported ${addresses} address(es) to ${to}`);
  return 0;
}

async function importCommand(args: readonly string[]): Promise<number> {
  const flags = {
    'data-dir': { type: 'string' },
    store: { type: 'string' },
    from: { type: 'string' },
    'chunk-lines': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  const { values } = parseFlags(args, flags, STATE_USAGE);
  if (values['help'] === true) return help(STATE_USAGE);
  const from = values['from'];
  if (typeof from !== 'string')
    throw new CliUsageError('ERR_CLI_INVALID_FLAG', `state import needs --from FILE.jsonl\n\n${STATE_USAGE}`);
  const chunkText = values['chunk-lines'];
  const chunkLines = typeof chunkText === 'string' ? Number(chunkText) : undefined;
  if (chunkLines !== undefined && !(Number.isInteger(chunkLines) && chunkLines > 0))
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--chunk-lines must be a whole number > 0, got ${JSON.stringify(chunkText)}`,
    );
  const target = readTarget(values, STATE_USAGE);
  const done = await importState({ from, target, ...(chunkLines === undefined ? {} : { chunkLines }) });
  const resumed = done.resumedAfterLine > 0 ? ` (resumed after line ${done.resumedAfterLine})` : '';
  console.log(`imported ${done.addresses} address(es), ${done.values} value(s) from ${from}${resumed}`);
  return 0;
}

/**
 * `statehouse state get|export|import`.
 *
 * @param argv - the arguments after `state`.
 * @returns the exit code.
 */
export function stateCommand(argv: string[]): Promise<number> {
  return runSubcommand('state', argv, STATE_USAGE, {
    get: stateGetCommand,
    export: exportCommand,
    import: importCommand,
  });
}
