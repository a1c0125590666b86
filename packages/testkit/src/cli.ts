/** Running the built `statehouse` CLI as a child process, as users do, and reading how it ended. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_BIN } from './runtime-process.js';

const run = promisify(execFile);

/** How a CLI run ended. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a CLI run. */
export interface CliRunOptions {
  /** Variables over this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/**
 * Runs `statehouse <args>`; a non-zero exit is returned, not thrown.
 *
 * @param args - the arguments.
 * @param options - environment and timeout.
 * @returns its exit code and output.
 */
export async function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_BIN, ...args], {
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, ...options.env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Runs `statehouse <args>` that must succeed.
 *
 * @returns its output.
 * @throws Error with its stderr when it exits non-zero.
 */
export async function cliSuccess(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const done = await runCli(args, options);
  if (done.code !== 0) throw new Error(`statehouse ${args.join(' ')} exited ${done.code}: ${done.stderr}`);
  return done;
}

/**
 * Runs `statehouse <args>` that must fail.
 *
 * @returns its exit code and output.
 * @throws Error when it exits 0.
 */
export async function cliFailure(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const done = await runCli(args, options);
  if (done.code === 0) throw new Error(`statehouse ${args.join(' ')} succeeded: ${done.stdout}`);
  return done;
}
