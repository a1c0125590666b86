/** `statehouse send namespace/name/id --type T (--json TEXT | --text TEXT | --base64 B64)`: one ingress message. */
import { CliUsageError } from '../cli-error.js';
import { parseFlags } from '../parse-flags.js';
import { SEND_USAGE } from '../usage.js';
import { callRuntime, runtimeUrl, URL_FLAG } from './runtime-client.js';
import { help } from './subcommands.js';

/** An address as the CLI takes it: `namespace/name/id` (the id may contain `/`). */
export interface CliAddress {
  readonly namespace: string;
  readonly name: string;
  readonly id: string;
}

/**
 * Reads an address.
 *
 * @param text - `namespace/name/id`.
 * @param usage - the command's usage, for errors.
 * @returns its parts.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` when a part is missing.
 */
export function parseAddress(text: string | undefined, usage: string): CliAddress {
  const [namespace, name, ...rest] = (text ?? '').split('/');
  const id = rest.join('/');
  if (!namespace || !name || id === '')
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `expected an address namespace/name/id, e.g. example/cart/Kim, got ${JSON.stringify(text ?? '')}\n\n${usage}`,
    );
  return { namespace, name, id };
}

/**
 * The API path of an address.
 *
 * @param route - `ingress` or `state`.
 * @param a - the address.
 * @returns e.g. `/v1/state/example/cart/Kim` with each part percent-encoded.
 */
export function addressPath(route: string, a: CliAddress): string {
  return `/v1/${route}/${[a.namespace, a.name, a.id].map(encodeURIComponent).join('/')}`;
}

function bodyOf(values: Readonly<Record<string, unknown>>): Uint8Array {
  const given = (['json', 'text', 'base64'] as const).filter((k) => typeof values[k] === 'string');
  if (given.length !== 1)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `give the message as exactly one of --json, --text or --base64\n\n${SEND_USAGE}`,
    );
  const [kind] = given;
  const text = values[kind!] as string;
  if (kind === 'json') {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new CliUsageError('ERR_CLI_INVALID_FLAG', `--json is not valid JSON: ${(err as Error).message}`);
    }
    return Buffer.from(text, 'utf8');
  }
  if (kind === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(text))
      throw new CliUsageError('ERR_CLI_INVALID_FLAG', '--base64 is not base64 text');
    return Buffer.from(text, 'base64');
  }
  return Buffer.from(text, 'utf8');
}

/**
 * `statehouse send`.
 *
 * @param argv - the arguments after `send`.
 * @returns the exit code.
 */
export async function sendCommand(argv: string[]): Promise<number> {
  const flags = {
    ...URL_FLAG,
    type: { type: 'string' },
    json: { type: 'string' },
    text: { type: 'string' },
    base64: { type: 'string' },
    'idempotency-key': { type: 'string' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  const { values, positionals } = parseFlags(argv, flags, SEND_USAGE, true);
  if (values['help'] === true) return help(SEND_USAGE);
  const address = parseAddress(positionals[0], SEND_USAGE);
  const type = values['type'];
  if (typeof type !== 'string')
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `send needs --type namespace/name (the message's typename)\n\n${SEND_USAGE}`,
    );
  const body = bodyOf(values);
  const key = values['idempotency-key'];
  const response = await callRuntime(runtimeUrl(values), addressPath('ingress', address), {
    method: 'POST',
    body,
    headers: { 'statefun-type': type, ...(typeof key === 'string' ? { 'idempotency-key': key } : {}) },
  });
  const answer = (await response.json()) as { messageId: string };
  console.log(values['output'] === 'json' ? JSON.stringify(answer) : `accepted ${answer.messageId}`);
  return 0;
}
