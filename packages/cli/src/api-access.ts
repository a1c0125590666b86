/**
 * The API access of `statehouse run`: tokens from `--api-tokens FILE` and `STATEHOUSE_API_TOKEN` (never from a
 * flag's value, which `ps` would show), `--insecure-no-auth`, and TLS (`--tls-cert`, `--tls-key`, `--tls-client-ca`).
 */
import { readFile } from 'node:fs/promises';
import { environmentToken, parseApiTokensFile, type ApiAuthConfig } from '@statehouse/runtime';
import { CliUsageError } from './cli-error.js';

/** What the flags and the environment give. */
export interface ApiAccessOptions {
  readonly apiAuth?: ApiAuthConfig;
  readonly insecureNoAuth: boolean;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
}

/** `--tls-cert`, `--tls-key` and `--tls-client-ca`: the first two together, the third only with them. */
function tlsFrom(values: Readonly<Record<string, unknown>>): ApiAccessOptions['tls'] {
  const [cert, key, ca] = [values['tls-cert'], values['tls-key'], values['tls-client-ca']];
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (typeof cert !== 'string' || typeof key !== 'string')
    throw new CliUsageError('ERR_CLI_INVALID_FLAG', 'HTTPS needs both --tls-cert FILE and --tls-key FILE');
  return { certFile: cert, keyFile: key, ...(typeof ca === 'string' ? { clientCaFile: ca } : {}) };
}

/**
 * Reads the API access options.
 *
 * @param values - the parsed flags of `run`.
 * @param env - the environment (for `STATEHOUSE_API_TOKEN`).
 * @returns the tokens, if any, and whether an open API may listen beyond loopback.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` when the file cannot be read; `ConfigError` naming the
 *   file and field when it is invalid.
 */
export async function apiAccessFrom(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ApiAccessOptions> {
  const insecureNoAuth = values['insecure-no-auth'] === true;
  const path = values['api-tokens'];
  let config: ApiAuthConfig | undefined;
  if (typeof path === 'string') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new CliUsageError(
        'ERR_CLI_INVALID_FLAG',
        `--api-tokens: cannot read ${path}: ${(err as Error).message}`,
      );
    }
    config = parseApiTokensFile(text, path);
  }
  const fromEnv = env['STATEHOUSE_API_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '')
    config = { ...config, tokens: [...(config?.tokens ?? []), environmentToken(fromEnv)] };
  const tls = tlsFrom(values);
  return {
    insecureNoAuth,
    ...(config === undefined ? {} : { apiAuth: config }),
    ...(tls === undefined ? {} : { tls }),
  };
}
