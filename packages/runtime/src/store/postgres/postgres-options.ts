/** Options of the PostgreSQL store, their defaults, and the checks made before connecting. */
import type { Logger } from 'pino';

import { ConfigError, StoreError } from '../../errors.js';
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import { redactUrl } from './postgres-errors.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL, `postgres://user:password@host:5432/database`. The database must exist. */
  readonly url: string;
  /** Connections in the pool (LISTEN uses one more). @default 8 */
  readonly max?: number;
  /** How long to wait for a connection to the server, in ms. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Where lifecycle events (open, migrate, close) are logged. @default no logging */
  readonly logger?: Logger;
}

/** {@link PostgresStoreOptions} with every default applied. */
export interface ResolvedPostgresStoreOptions {
  readonly url: string;
  /** The URL without its password, for messages and logs. */
  readonly redactedUrl: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger | undefined;
}

/**
 * Applies the defaults of {@link PostgresStoreOptions}; nothing is checked yet (see
 * {@link validatePostgresStoreOptions}).
 *
 * @param options - what the caller passed.
 * @returns the options in effect.
 */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  return {
    url: options.url,
    redactedUrl: redactUrl(options.url),
    max: options.max ?? 8,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    logger: options.logger?.child({ component: 'store.postgres' }),
  };
}

/** What to do about a store URL with a bad percent-encoding. */
export const STORE_URL_ENCODING_HINT =
  'has an invalid percent-encoding (a "%" not followed by two hex digits of UTF-8); ' +
  'write a "%" in the password as %25, or leave the password out and set PGPASSWORD';

/**
 * Whether a URL's percent-encoding decodes (the PostgreSQL driver decodes the user and password and throws an
 * uncaught `URIError` when it does not).
 *
 * @param url - the store URL.
 */
export function isStoreUrlEncodingValid(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the options before the store connects.
 *
 * @param options - the options in effect.
 * @throws {@link StoreError} `ERR_STORE_CONNECT_FAILED` when the URL is not a PostgreSQL URL,
 * `ERR_STORE_OPEN_FAILED` when the pool size is not a positive integer; {@link ConfigError}
 * `ERR_CONFIG_INVALID_OPTION` (option `storeUrl`) when its percent-encoding is invalid.
 */
export function validatePostgresStoreOptions(options: ResolvedPostgresStoreOptions): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new StoreError(
      STORE_ERROR_CODES.connectFailed,
      `The store URL ${options.redactedUrl} is not a PostgreSQL URL. Use postgres://user:password@host:5432/database.`,
    );
  }
  if (!isStoreUrlEncodingValid(options.url)) {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_OPTION',
      `The store URL (storeUrl, --store) ${options.redactedUrl} ${STORE_URL_ENCODING_HINT}.`,
      { option: 'storeUrl' },
    );
  }
  if (!Number.isSafeInteger(options.max) || options.max < 1) {
    throw new StoreError(
      STORE_ERROR_CODES.openFailed,
      `The pool size (max) must be a positive integer, got ${String(options.max)}. The default is 8.`,
    );
  }
}
