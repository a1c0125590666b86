/** `statehouse state get|export|import`: one address's state, and state out of a store as JSON lines and back in. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { exportState, importState } from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { STATE_USAGE } from '../usage.js';
import { stateGetCommand } from './inspect.js';
import { help, runSubcommand } from './subcommands.js';
import { callRuntime } from './runtime-client.js';
import { readSource, readTarget, STORE_FLAGS } from './store-flags.js';

/** Where exported lines go: stdout, or a file that appears (complete) only once the export succeeded. */
interface LineSink {
  write(line: string): Promise<void>;
  /** The export is complete: the file takes its name. */
  finish(): Promise<void>;
  /** The export failed: what was written is removed, an existing file of that name is left as it was. */
  abort(): Promise<void>;
}

function stdoutSink(): LineSink {
  return {
    write: async (line) => {
      if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
    },
    finish: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  };
}

/** Lines into `<to>.partial`, renamed to `<to>` at the end. */
function fileSink(to: string): LineSink {
  const partial = `${to}.partial`;
  const out = createWriteStream(partial);
  // One listener each for the whole export (a listener per write would pile up on a large one).
  const closed = new Promise<void>((resolve) => out.once('close', resolve));
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure = new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--to ${to}: cannot write ${partial}: ${err.message}`,
    );
  });
  const failed = (): Promise<never> => Promise.reject(failure!);
  return {
    write: async (line) => {
      if (failure !== undefined) return failed();
      if (!out.write(`${line}\n`))
        await Promise.race([new Promise<void>((resolve) => out.once('drain', () => resolve())), closed]);
      if (failure !== undefined) return failed();
    },
    finish: async () => {
      if (failure !== undefined) return failed();
      out.end();
      await closed;
      if (failure !== undefined) return failed();
      await rename(partial, to);
    },
    abort: async () => {
      out.destroy();
      await rm(partial, { force: true });
    },
  };
}

/** Copies the runtime's export stream (`GET /v1/admin/state`) line by line. @returns the addresses. */
async function exportFromRuntime(
  url: string,
  functionType: string | undefined,
  out: LineSink,
): Promise<number> {
  const query = functionType === undefined ? '' : `?functionType=${encodeURIComponent(functionType)}`;
  const response = await callRuntime(url, `/v1/admin/state${query}`, { isLong: true });
  let rest = '';
  let addresses = 0;
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
  if (rest !== '')
    throw new CliUsageError(
      'ERR_CLI_RUNTIME_ERROR',
      `the runtime ended the export in the middle of a line (see its log)`,
    );
  return addresses;
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
  const out = to === undefined ? stdoutSink() : fileSink(to);
  let addresses: number;
  try {
    addresses =
      choice.kind === 'api'
        ? await exportFromRuntime(choice.url, functionType, out)
        : await exportState({ source: choice.source, functionType, write: (line) => out.write(line) });
    await out.finish();
  } catch (err) {
    await out.abort();
    throw err;
  }
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
