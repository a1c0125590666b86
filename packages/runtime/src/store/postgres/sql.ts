/** The postgres.js client as the PostgreSQL store uses it: `bigint` columns read as numbers, no notice output. */
import postgres from 'postgres';

/**
 * `bigint` (int8) columns parse to `number`. Every int8 the store keeps (seqs, ids, offsets, epochs, epoch
 * milliseconds) stays far below 2^53, so no precision is lost.
 */
const BIGINT_AS_NUMBER = {
  to: 20,
  from: [20],
  serialize: (value: number): string => String(value),
  parse: (value: string): number => Number(value),
};

/** Custom types of the store's client. */
export type StoreTypes = { bigint: number };
/** A client (pool) of the store. */
export type Sql = postgres.Sql<StoreTypes>;
/** The client inside a transaction. */
export type TxSql = postgres.TransactionSql<StoreTypes>;
/** Either: statements that may run inside or outside a transaction take this. */
export type AnySql = Sql | TxSql;

/**
 * Delay before reconnecting, seconds: postgres.js's default grows to 20 s and is shared by the pool, so after a
 * database restart most connections would wait long after the server is back. Capped at 1 s, with jitter.
 */
export function reconnectDelaySeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

/** The `application_name` of every Statehouse session: how a process finds the sessions of its peers. */
export const APPLICATION_NAME = 'statehouse';

/**
 * A transaction whose client has not sent anything for this long is taken as frozen and ended: by the server
 * between statements (`idle_in_transaction_session_timeout`), by a peer that needs its locks otherwise
 * (`endStalledSessions`).
 */
export const STALLED_CLIENT_MS = 2_000;

/** Options of {@link createSql}. */
export interface CreateSqlOptions {
  readonly url: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  /** The server ends a transaction idle this long, ms (0: never). @default {@link STALLED_CLIENT_MS} */
  readonly idleInTransactionMs?: number;
  /** The sessions' `application_name`. @default {@link APPLICATION_NAME} */
  readonly applicationName?: string;
}

/**
 * Creates a lazily connecting pool.
 *
 * @param options - URL, pool size and connect timeout.
 * @returns the client; end it with `sql.end()`.
 */
export function createSql(options: CreateSqlOptions): Sql {
  return postgres(options.url, {
    max: options.max,
    connect_timeout: Math.max(1, Math.ceil(options.connectTimeoutMs / 1000)),
    backoff: reconnectDelaySeconds,
    types: { bigint: BIGINT_AS_NUMBER },
    // `CREATE TABLE IF NOT EXISTS` and friends send notices; postgres.js would print them to the console.
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? APPLICATION_NAME,
      // A process frozen mid-transaction (SIGSTOP, a long GC pause, a VM migration) must not hold row locks
      // on leases or egress heads past its lease: the server ends such a session and rolls back.
      idle_in_transaction_session_timeout: options.idleInTransactionMs ?? STALLED_CLIENT_MS,
    },
  });
}

/**
 * Epoch milliseconds of the store clock, as a SQL fragment: the server's clock at the statement, not at the
 * transaction start, so a transaction that waited for a lock does not act on a stale time.
 *
 * @param sql - the client or transaction the fragment is used in.
 * @returns the fragment, to interpolate into a tagged query.
 */
export function nowMs(sql: AnySql): postgres.PendingQuery<postgres.Row[]> {
  return sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
}

/**
 * Epoch milliseconds of the transaction start on the store clock, as a SQL fragment: the same value for every
 * statement of a transaction.
 *
 * @param sql - the transaction the fragment is used in.
 * @returns the fragment, to interpolate into a tagged query.
 */
export function txNowMs(sql: AnySql): postgres.PendingQuery<postgres.Row[]> {
  return sql`(extract(epoch from transaction_timestamp()) * 1000)::bigint`;
}

/**
 * Bytes as lowercase hex, for `decode(x, 'hex')`: postgres.js cannot send `Buffer[]` as `bytea[]`.
 *
 * @param value - the bytes.
 * @returns their hex text ('' for zero-length bytes, which `decode` turns back into an empty, non-null value).
 */
export function toHex(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
}
