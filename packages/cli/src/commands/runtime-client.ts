/**
 * Calls to a running runtime's HTTP API for the commands that take `--url` (default `$STATEHOUSE_URL`, else the
 * runtime's default listen address), with the token of `$STATEHOUSE_API_TOKEN` when it is set. Errors carry the CLI's exit codes: 4 when nothing answers, 3 for a 404, 2
 * for any other error answer (with the runtime's code and message).
 */
import { Agent } from 'undici';
import { redactUrl } from '@statehouse/runtime';
import { CliUsageError, EXIT_CODES } from '../cli-error.js';

/** The `--url` flag. */
export const URL_FLAG = { url: { type: 'string' } } as const;

/**
 * The runtime a command talks to.
 *
 * @param values - the parsed flags.
 * @returns `--url`, else `$STATEHOUSE_URL`, else `http://127.0.0.1:8091`, without a trailing `/`.
 */
export function runtimeUrl(values: Readonly<Record<string, unknown>>): string {
  const given = typeof values['url'] === 'string' ? values['url'] : process.env['STATEHOUSE_URL'];
  return (given ?? 'http://127.0.0.1:8091').replace(/\/+$/u, '');
}

/**
 * The token of `STATEHOUSE_API_TOKEN` (an environment variable: a flag's value would show in `ps`), checked once here
 * so that fetch never sees (and never prints) a token that is no valid header value.
 *
 * @param env - the environment.
 * @returns the token, or `undefined` when the variable is unset or empty.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_ENV` (exit 2) naming the variable and the bad character's position,
 *   never the token.
 */
export function apiToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env['STATEHOUSE_API_TOKEN'];
  if (token === undefined || token === '') return undefined;
  const bad = [...token].findIndex((c) => !/^[\x21-\x7e]$/u.test(c));
  if (bad >= 0)
    throw new CliUsageError(
      'ERR_CLI_INVALID_ENV',
      `STATEHOUSE_API_TOKEN is not a valid token: character ${bad + 1} of ${[...token].length} is ` +
        `${describeCharacter([...token][bad]!)}; a token is printable ASCII without spaces (check for a newline ` +
        'or a space copied with it) [ERR_CLI_INVALID_ENV]',
    );
  return token;
}

function describeCharacter(c: string): string {
  if (c === '\n' || c === '\r') return 'a line break';
  if (c === ' ' || c === '\t') return 'a space or tab';
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? 'a control character' : 'not ASCII';
}

function authorization(): Record<string, string> {
  const token = apiToken();
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** Requests to a runtime's admin API wait as long as the work takes (a snapshot of a large store). */
const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
/**
 * Every other request is answered within a long poll's wait (at most 30 s) or it never will be (a frozen
 * runtime): the command then fails as unreachable instead of hanging a script. `STATEHOUSE_TIMEOUT_MS` sets it.
 */
const DEFAULT_ANSWER_TIMEOUT_MS = 45_000;
let prompt: Agent | undefined;

function promptAgent(): Agent {
  if (prompt !== undefined) return prompt;
  const text = process.env['STATEHOUSE_TIMEOUT_MS'];
  const ms = text === undefined || text === '' ? DEFAULT_ANSWER_TIMEOUT_MS : Number(text);
  if (!Number.isInteger(ms) || ms < 1)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `STATEHOUSE_TIMEOUT_MS must be a whole number of milliseconds > 0, got ${JSON.stringify(text)}`,
    );
  return (prompt = new Agent({ headersTimeout: ms, bodyTimeout: ms }));
}

/**
 * Calls a running runtime's API.
 *
 * @param url - its base URL.
 * @param path - the path and query.
 * @param init - method and body.
 * @returns the response (2xx).
 * @throws {@link CliUsageError} `ERR_CLI_RUNTIME_UNREACHABLE` when it does not answer; the runtime's error code
 *   and message for an error answer.
 */
export async function callRuntime(
  url: string,
  path: string,
  init: {
    method?: string;
    body?: string | Uint8Array;
    headers?: Record<string, string>;
    /** Wait as long as the runtime works (snapshots, exports), not at most `STATEHOUSE_TIMEOUT_MS` (45 s). */
    isLong?: boolean;
  } = {},
): Promise<Response> {
  const dispatcher = init.isLong === true ? patient : promptAgent();
  const auth = authorization();
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { body: init.body }),
      headers: {
        ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        ...auth,
        ...init.headers,
      },
      // @ts-expect-error undici's fetch takes a dispatcher; the DOM type does not know it.
      dispatcher,
    });
  } catch (err) {
    throw new CliUsageError(
      'ERR_CLI_RUNTIME_UNREACHABLE',
      `no runtime answers at ${redactUrl(url)} (${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}); check --url, or start it [ERR_CLI_RUNTIME_UNREACHABLE]`,
      EXIT_CODES.unreachable,
    );
  }
  if (response.ok) return response;
  const text = await response.text();
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    error = undefined;
  }
  const message = `${error?.message ?? text} [${error?.code ?? `HTTP ${response.status}`}]`;
  if (response.status === 404) throw new CliUsageError('ERR_CLI_NOT_FOUND', message, EXIT_CODES.notFound);
  throw new CliUsageError('ERR_CLI_RUNTIME_ERROR', message);
}
