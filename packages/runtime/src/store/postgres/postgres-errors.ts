/**
 * The translation of `postgres` (postgres.js) errors into {@link StoreError}s with the codes of
 * {@link STORE_ERROR_CODES}.
 */
import { StoreError } from '../../errors.js';
import { redactUrl as redactAnyUrl } from '../../core/redact-url.js';
import { driverCode, STORE_ERROR_CODES, type StoreErrorCode } from '../common/store-errors.js';

/** Socket-level failures (Node) and postgres.js connection states that mean "the server is unreachable". */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/** SQLSTATEs a retry can fix: serialization failure, deadlock, lock not available. */
const CONFLICT_STATES: ReadonlySet<string> = new Set(['40001', '40P01', '55P03']);
/**
 * SQLSTATEs of a server that is shutting down, starting up, or full of connections, or that ended the session
 * (idle in a transaction or idle for too long: a process frozen mid-commit finds its connection gone on resume;
 * nothing of that transaction was committed, so a retry is safe).
 */
const UNAVAILABLE_STATES: ReadonlySet<string> = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '25P03',
  '57P05',
]);

/**
 * The URL without its password, for messages and logs.
 *
 * @param url - a `postgres://` connection URL.
 * @returns the URL with the password (in the user-info or a `password`, `sslpassword`… query parameter) replaced by
 *   `***`, or a placeholder when it does not parse.
 */
export function redactUrl(url: string): string {
  return redactAnyUrl(url);
}

/**
 * Whether the error means the connection to the server failed (rather than a statement).
 *
 * @param err - what was thrown.
 */
export function isConnectionError(err: unknown): boolean {
  const code = driverCode(err);
  if (code === undefined) return false;
  return (
    NETWORK_CODES.has(code) ||
    UNAVAILABLE_STATES.has(code) ||
    code.startsWith('08') || // connection exception
    code.startsWith('28') || // invalid authorization (wrong user or password)
    code === '3D000' || // database does not exist
    code === 'SASL_SIGNATURE_MISMATCH' ||
    code === 'AUTH_TYPE_NOT_IMPLEMENTED'
  );
}

function connectError(err: unknown, code: string, what: string, url: string, detail: string): StoreError {
  const isConfig = code.startsWith('28') || code === '3D000' || code === 'AUTH_TYPE_NOT_IMPLEMENTED';
  const hint = code.startsWith('28')
    ? 'Check the user name and password in the store URL.'
    : code === '3D000'
      ? 'Create the database first (CREATE DATABASE), or fix its name in the store URL.'
      : 'Check that the server is running and reachable from this host (host, port, firewall), and that it ' +
        'accepts connections (max_connections, pg_hba.conf).';
  return new StoreError(
    STORE_ERROR_CODES.connectFailed,
    `${what} failed: could not use the PostgreSQL server at ${redactUrl(url)}: ${detail} (${code}). ${hint}`,
    { cause: err, retryable: !isConfig },
  );
}

/**
 * Wraps an error from postgres.js into a {@link StoreError}; a `StoreError` passes through unchanged.
 *
 * @param err - what was thrown.
 * @param code - the code to use when the error has no more specific one.
 * @param what - the operation, e.g. `Committing a batch`.
 * @param url - the store URL (its password is never shown).
 * @returns the error to throw.
 */
export function toPostgresStoreError(
  err: unknown,
  code: StoreErrorCode,
  what: string,
  url: string,
): StoreError {
  if (err instanceof StoreError) return err;
  const pgCode = driverCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (pgCode !== undefined && isConnectionError(err)) {
    const commitNote =
      code === STORE_ERROR_CODES.commitFailed
        ? ' The outcome of the commit is unknown: recover from the store.'
        : '';
    const wrapped = connectError(err, pgCode, what, url, detail);
    return commitNote === ''
      ? wrapped
      : new StoreError(wrapped.code, wrapped.message + commitNote, {
          cause: err,
          retryable: wrapped.retryable,
        });
  }
  const classified = pgCode === undefined ? undefined : statementError(err, pgCode, what, detail);
  if (classified !== undefined) return classified;
  const isResourceShortage = pgCode?.startsWith('53') === true;
  const hint = isResourceShortage
    ? ' The server is short of disk, memory or connections: free some and retry.'
    : '';
  return new StoreError(
    code,
    `${what} failed: ${detail}${pgCode === undefined ? '' : ` (SQLSTATE ${pgCode})`}.${hint}`,
    { cause: err, retryable: isResourceShortage },
  );
}

/** The error of a statement whose SQLSTATE has a code of its own; `undefined` for any other. */
function statementError(err: unknown, pgCode: string, what: string, detail: string): StoreError | undefined {
  if (pgCode.startsWith('23')) {
    return new StoreError(
      STORE_ERROR_CODES.constraint,
      `${what} failed: ${detail} (SQLSTATE ${pgCode}); nothing was applied. Message seqs, timer ids, egress offsets ` +
        'and pending cancellation tokens of a sender must be unique: the effects that broke the rule are refused ' +
        'and their address stalls.',
      { cause: err },
    );
  }
  // Data exceptions (invalid text such as NUL, numbers out of range) and program limits (an index row too big).
  if (pgCode.startsWith('22') || pgCode.startsWith('54')) {
    return new StoreError(
      STORE_ERROR_CODES.invalidData,
      `${what} failed: ${detail} (SQLSTATE ${pgCode}); nothing was applied. The effects carrying the value are ` +
        'refused and their address stalls.',
      { cause: err },
    );
  }
  if (CONFLICT_STATES.has(pgCode)) {
    return new StoreError(
      STORE_ERROR_CODES.busy,
      `${what} failed: it conflicted with a concurrent transaction (SQLSTATE ${pgCode}); nothing was applied. Retry.`,
      { cause: err, retryable: true },
    );
  }
  if (pgCode === '53100') {
    return new StoreError(
      STORE_ERROR_CODES.full,
      `${what} failed: the PostgreSQL server's disk is full (SQLSTATE 53100); nothing was applied. Free space on ` +
        'the database server; Statehouse resumes by itself once writes succeed again.',
      { cause: err, retryable: true },
    );
  }
  return undefined;
}
