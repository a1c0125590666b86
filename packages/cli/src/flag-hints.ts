/**
 * How the CLI shows a runtime error: the runtime speaks of its options (`listen`, `dataDir`), the user of the
 * CLI knows flags (`--listen`, `--data-dir`). The flag is found from the error's `code` and `option`, never from
 * its message text.
 */
import { ConfigError, type RuntimeErrorCode, type StatehouseError } from '@statehouse/runtime';
import { flagOf } from './run-flags.js';

/** Errors whose remedy is another value of a flag: the flag's option and the advice. */
const FLAG_HINTS: Partial<Record<RuntimeErrorCode, { option: string; hint: (flag: string) => string }>> = {
  ERR_CONFIG_LISTEN_FAILED: {
    option: 'listen',
    hint: (flag) => `choose another ${flag} HOST:PORT (port 0 picks a free one)`,
  },
  ERR_STORE_LOCKED: { option: 'dataDir', hint: (flag) => `stop it first, or use another ${flag}` },
};

/** Options set by a flag naming a file or by an environment variable, not by a flag's value. */
const OPTION_SOURCES: Readonly<Record<string, string>> = {
  callSigningKey: '--signing-key (or STATEHOUSE_SIGNING_KEY)',
};

/**
 * The text the CLI prints for a runtime error, after `statehouse: `: the message and code; for an invalid
 * option, led by the flag that set it; for an error a flag can fix, followed by a line naming that flag.
 *
 * @param err - an error of `@statehouse/runtime`.
 * @returns one or two lines.
 */
export function describeRuntimeError(err: StatehouseError): string {
  const text = `${err.message} [${err.code}]`;
  const invalidFlag =
    err instanceof ConfigError && err.option !== undefined
      ? (flagOf(err.option) ?? OPTION_SOURCES[err.option])
      : undefined;
  if (invalidFlag !== undefined) return `${invalidFlag}: ${text}`;
  const fix = FLAG_HINTS[err.code];
  const flag = fix === undefined ? undefined : flagOf(fix.option);
  return fix === undefined || flag === undefined ? text : `${text}\nstatehouse: ${fix.hint(flag)}`;
}
