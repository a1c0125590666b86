/**
 * The key `statehouse run` signs calls to functions with: the file `--signing-key FILE` names, or the value of
 * `STATEHOUSE_SIGNING_KEY`, never a flag's value (which `ps` would show). The runtime checks the key
 * (`callSigningKey`) and never prints it.
 */
import { readFile } from 'node:fs/promises';
import { CliUsageError } from './cli-error.js';

/** The environment variable that may hold the signing key itself. */
export const SIGNING_KEY_ENV = 'STATEHOUSE_SIGNING_KEY';

/**
 * Reads the signing key.
 *
 * @param values - the parsed flags of `run`.
 * @param env - the environment (for `STATEHOUSE_SIGNING_KEY`).
 * @returns `callSigningKey` when a key is configured.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` when the file cannot be read, or when both the flag and the
 *   variable are given.
 */
export async function signingKeyFrom(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ callSigningKey?: string }> {
  const path = values['signing-key'];
  const fromEnv = env[SIGNING_KEY_ENV];
  const hasEnv = fromEnv !== undefined && fromEnv !== '';
  if (typeof path !== 'string') return hasEnv ? { callSigningKey: fromEnv } : {};
  if (hasEnv) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--signing-key ${path} and ${SIGNING_KEY_ENV} are both given: the runtime signs with one key; keep one of them`,
    );
  }
  try {
    return { callSigningKey: await readFile(path, 'utf8') };
  } catch (err) {
    // The file's content is never part of the message, only the reason it could not be read.
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--signing-key: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
