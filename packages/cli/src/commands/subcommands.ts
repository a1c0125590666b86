/** Commands with subcommands (`snapshot create|list`, `state get|export|import`, `egress tail`): one dispatch. */
import { CliUsageError } from '../cli-error.js';

/** A subcommand: takes the arguments after its name, returns the exit code. */
export type Subcommand = (args: string[]) => Promise<number>;

/**
 * Runs the subcommand named by the first argument; prints the usage for none (exit 2) or `--help` (exit 0).
 *
 * @param command - the command's name, for the error message.
 * @param argv - the arguments after the command's name.
 * @param usage - its usage text.
 * @param subcommands - its subcommands by name.
 * @returns the exit code.
 * @throws {@link CliUsageError} `ERR_CLI_UNKNOWN_COMMAND` for an unknown subcommand.
 */
export function runSubcommand(
  command: string,
  argv: readonly string[],
  usage: string,
  subcommands: Readonly<Record<string, Subcommand>>,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help') {
    console.log(usage);
    return Promise.resolve(sub === undefined ? 2 : 0);
  }
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (run === undefined)
    throw new CliUsageError(
      'ERR_CLI_UNKNOWN_COMMAND',
      `unknown ${command} command ${JSON.stringify(sub)}\n\n${usage}`,
    );
  return run(rest);
}

/**
 * Prints a usage text for `--help`.
 *
 * @param usage - the text.
 * @returns exit code 0.
 */
export function help(usage: string): number {
  console.log(usage);
  return 0;
}
