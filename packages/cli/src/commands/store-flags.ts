/**
 * The flags that name a store for the snapshot and state commands: `--url` (a running runtime's API), `--data-dir`
 * (a data directory no runtime holds) or `--store postgres://…` (a cluster's database, running or not).
 */
import {
  isStoreUrlEncodingValid,
  redactUrl,
  STORE_URL_ENCODING_HINT,
  type RestoreTarget,
  type SnapshotSource,
} from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import type { CommandFlags } from '../parse-flags.js';

/** The flags, as `parseArgs` takes them. */
export const STORE_FLAGS: CommandFlags = {
  url: { type: 'string' },
  'data-dir': { type: 'string' },
  store: { type: 'string' },
};

/** Where a command reads from: a running runtime's API, or a store it opens itself. */
export type StoreChoice =
  | { readonly kind: 'api'; readonly url: string }
  | { readonly kind: 'store'; readonly source: SnapshotSource };

function checkPostgresUrl(url: string, usage: string): string {
  if (!/^postgres(ql)?:\/\//u.test(url))
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--store must be a postgres://… URL, got ${JSON.stringify(redactUrl(url))}\n\n${usage}`,
    );
  if (!isStoreUrlEncodingValid(url))
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--store ${JSON.stringify(redactUrl(url))} ${STORE_URL_ENCODING_HINT}\n\n${usage}`,
    );
  return url;
}

function onlyOne(values: Readonly<Record<string, unknown>>, names: readonly string[], usage: string): void {
  const given = names.filter((n) => values[n] !== undefined);
  if (given.length > 1)
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `give one of ${given.map((n) => `--${n}`).join(', ')}, not several\n\n${usage}`,
    );
}

/**
 * The store a read command (snapshot create, state export) reads from; `--data-dir ./.statehouse` by default.
 *
 * @param values - the parsed flags.
 * @param usage - the command's usage, for errors.
 * @returns the choice.
 */
export function readSource(values: Readonly<Record<string, unknown>>, usage: string): StoreChoice {
  onlyOne(values, ['url', 'data-dir', 'store'], usage);
  if (typeof values['url'] === 'string') return { kind: 'api', url: values['url'].replace(/\/+$/u, '') };
  if (typeof values['store'] === 'string') {
    const url = checkPostgresUrl(values['store'], usage);
    return { kind: 'store', source: { kind: 'postgres', url, where: redactUrl(url) } };
  }
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : './.statehouse';
  return { kind: 'store', source: { kind: 'sqlite-dir', dataDir } };
}

/**
 * The store a write command (restore, state import) writes into: `--data-dir` or `--store`, one of them required.
 *
 * @param values - the parsed flags.
 * @param usage - the command's usage, for errors.
 * @returns the target.
 */
export function readTarget(values: Readonly<Record<string, unknown>>, usage: string): RestoreTarget {
  onlyOne(values, ['data-dir', 'store'], usage);
  if (typeof values['store'] === 'string') {
    const url = checkPostgresUrl(values['store'], usage);
    return { kind: 'postgres', url, where: redactUrl(url) };
  }
  if (typeof values['data-dir'] === 'string') return { kind: 'sqlite', dataDir: values['data-dir'] };
  throw new CliUsageError(
    'ERR_CLI_INVALID_FLAG',
    `name the target: --data-dir DIR or --store postgres://…\n\n${usage}`,
  );
}
