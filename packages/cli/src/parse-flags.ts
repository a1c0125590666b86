/**
 * Parsing and checking the flags of a command, one implementation for `statehouse run` and `statehouse cluster
 * status`, so that a flag accepts the same values and fails with the same message everywhere. Node's `parseArgs`
 * does the parsing; this adds what it lacks: a negative number after a number flag (`--max-inbox-messages -5`)
 * reaches the value check instead of failing as an "ambiguous argument", and a flag given twice is an error
 * instead of silently taking the last value. The values are checked by the runtime's own rules
 * (`resolveRuntimeOptions`), so the CLI cannot drift from what the runtime accepts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  redactLocation,
  redactUrl,
  resolveRuntimeOptions,
  type ModuleConfig,
  type ResolvedRuntimeOptions,
} from '@statehouse/runtime';
import { CliUsageError } from './cli-error.js';
import { RUN_FLAGS } from './run-flags.js';

/** The flags of one command as `parseArgs` takes them (rows of {@link RUN_FLAGS} and boolean switches). */
export type CommandFlags = NonNullable<ParseArgsConfig['options']>;

/** The flags and positionals given; a flag given once has its value (text, or `true` for a switch). */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses the arguments of a command.
 *
 * @param args - the arguments after the command's name.
 * @param options - the command's flags.
 * @param usage - the command's usage text, shown after a parse error.
 * @param allowPositionals - whether the command takes positionals (module files).
 * @returns the flags and positionals given.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` for an unknown flag, a missing value or a flag given twice.
 */
export function parseFlags(
  args: readonly string[],
  options: CommandFlags,
  usage: string,
  allowPositionals = false,
): ParsedFlags {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeNumbers(args), options, allowPositionals, tokens: true });
  } catch (err) {
    throw new CliUsageError('ERR_CLI_INVALID_FLAG', `${(err as Error).message}\n\n${usage}`);
  }
  checkGivenOnce(parsed.tokens, options);
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

/** A module with nothing in it: the flags are checked on their own, before the module files are read. */
const NO_MODULE: ModuleConfig = Object.freeze({ endpoints: [], egresses: [], ingresses: [], policies: [] });

/**
 * Checks the values of the option flags given, by the runtime's rules, and applies the runtime's defaults.
 *
 * @param values - the `values` of {@link parseFlags}.
 * @returns the runtime options with every flag given and the defaults of the others.
 * @throws `ConfigError` `ERR_CONFIG_INVALID_OPTION` naming the option (the CLI shows its flag, see
 *   `flag-hints.ts`), the value as typed and the accepted range, e.g. `--max-inbox-messages: runtime option
 *   maxInboxMessages: expected a positive whole number, got "-5"`.
 */
export function resolveFlagValues(
  values: Readonly<Record<string, unknown>>,
): Readonly<ResolvedRuntimeOptions> {
  const given: Record<string, unknown> = {};
  for (const flag of RUN_FLAGS) {
    const text = values[flag.name];
    if (flag.option === undefined || typeof text !== 'string') continue;
    // Only digits make a number. Anything else ("-5", "1e3", "0x10", "lots") goes to the check as typed: it is
    // rejected, and the message shows what the user wrote rather than the NaN or -5 Number() would make of it.
    given[flag.option] = flag.kind === 'number' && /^\d+$/.test(text) ? Number(text) : text;
  }
  // The values are unknown on purpose: the runtime's check takes any value and names the option of a wrong one.
  // The API's access is checked when the runtime is created, with its tokens (read from their file later).
  return resolveRuntimeOptions({ ...given, module: NO_MODULE, insecureNoAuth: true });
}

/** `--flag -5` → `--flag=-5` for number flags, which parseArgs would otherwise refuse as ambiguous. */
function joinNegativeNumbers(args: readonly string[]): string[] {
  const numberFlags = new Set(
    RUN_FLAGS.filter((f) => f.kind === 'number' || ('isNumber' in f && f.isNumber === true)).map(
      (f) => `--${f.name}`,
    ),
  );
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg === '--') return [...joined, ...args.slice(i)];
    if (numberFlags.has(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/** A flag's value as it may be printed: URLs (`--store`, `--url`, `--snapshot-to`) without their credentials. */
function shown(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//iu.test(value)) return value;
  return /^postgres(ql)?:/iu.test(value) ? redactUrl(value) : redactLocation(value);
}

/** Rejects a flag with a value given twice (`multiple` flags excepted): which one was meant is unknowable. */
function checkGivenOnce(tokens: readonly Token[] | undefined, options: CommandFlags): void {
  const seen = new Map<string, string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.value === undefined || options[token.name]?.multiple === true)
      continue;
    const first = seen.get(token.name);
    if (first !== undefined) {
      throw new CliUsageError(
        'ERR_CLI_INVALID_FLAG',
        `--${token.name} is given twice (${JSON.stringify(shown(first))}, then ${JSON.stringify(shown(token.value))}); ` +
          'give it once',
      );
    }
    seen.set(token.name, token.value);
  }
}
