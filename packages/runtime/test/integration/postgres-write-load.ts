/**
 * Child process of `postgres-restart.test.ts`: a pipelined write load on postgres.js, shaped like the store's
 * commit (`sql.begin` with several set-based statements sent without waiting for each other, as in
 * `store/postgres/commit.ts`) mixed with plain queries, until "stop" arrives on stdin.
 *
 * Usage: `node --import tsx postgres-write-load.ts <postgres package dir> <database url>`. Every 100 ms it prints
 * one JSON line ({@link LoadReport}) on stdout; after "stop" it lets the workers finish, ends the pool, prints a
 * last line with `final: true` and exits 0. It installs no `uncaughtException` or `unhandledRejection` handler
 * on purpose: a driver defect must kill it, as it would kill the runtime.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

import type postgresType from 'postgres';

/** What the child prints, one JSON object a line. */
export interface LoadReport {
  /** Transactions and queries that succeeded since the start. */
  readonly ok: number;
  /** Those that failed with an `Error` carrying a string `code`: what a caller can catch and retry. */
  readonly failed: number;
  /** How many failures each error code had. */
  readonly codes: Readonly<Record<string, number>>;
  /** Rejections that were not an `Error` with a code (e.g. a `TypeError` from inside the driver), first 10. */
  readonly unexpected: readonly string[];
  /** Present on the last line, after the pool ended. */
  readonly final?: true;
}

const WORKERS = 24;
const POOL_SIZE = 4;
const ROWS_PER_COMMIT = 8;
const KEYS = 2_000;
const REPORT_EVERY_MS = 100;
/** Pause of a worker after a failure, so a stopped server does not turn the load into a busy loop. */
const BACKOFF_MS = 20;

const [driverDir, url] = process.argv.slice(2);
if (driverDir === undefined || url === undefined) {
  throw new Error('Usage: postgres-write-load.ts <postgres package dir> <database url>');
}
// `src/index.js` is the copy an ESM `import 'postgres'` resolves to (the package's `import` condition).
const driver = (await import(pathToFileURL(join(driverDir, 'src', 'index.js')).href)) as {
  default: typeof postgresType;
};
const sql = driver.default(url, { max: POOL_SIZE, onnotice: () => {}, connect_timeout: 5 });

let ok = 0;
let failed = 0;
const codes: Record<string, number> = {};
const unexpected: string[] = [];
let isStopping = false;

function record(err: unknown): void {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    failed++;
    codes[code] = (codes[code] ?? 0) + 1;
  } else if (unexpected.length < 10) {
    unexpected.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}

function report(final?: true): void {
  const line: LoadReport = { ok, failed, codes, unexpected, ...(final ? { final } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function keysFrom(seed: number): number[] {
  return Array.from({ length: ROWS_PER_COMMIT }, (_, i) => (seed * 7919 + i * 104_729) % KEYS);
}

/** One commit: the statements go out together on the transaction's connection, then we wait for all. */
async function commit(seed: number): Promise<void> {
  const keys = keysFrom(seed);
  const values = keys.map((k) => k + seed);
  const payloads = keys.map((k) => `payload-${k}-${seed}`);
  const deletes = keysFrom(seed + 1).slice(0, 2);
  await sql.begin(async (tx) => {
    const pipeline = [
      tx`INSERT INTO kv (k, v, payload)
         SELECT * FROM unnest(${keys}::int[], ${values}::bigint[], ${payloads}::text[])
         ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, payload = EXCLUDED.payload`.execute(),
      tx`DELETE FROM kv WHERE k = ANY(${deletes}::int[])`.execute(),
      tx`INSERT INTO events (k, at) SELECT unnest(${keys}::int[]), ${seed}::bigint`.execute(),
      tx`SELECT count(*)::int AS n FROM kv WHERE k = ANY(${keys}::int[])`.execute(),
    ];
    const settled = await Promise.allSettled(pipeline);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  });
}

async function worker(index: number): Promise<void> {
  for (let i = 0; !isStopping; i++) {
    const seed = index * 1_000_000 + i;
    try {
      if (i % 3 === 2) await sql`SELECT ${seed}::bigint AS seed, pg_backend_pid() AS pid`;
      else await commit(seed);
      ok++;
    } catch (err) {
      record(err);
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS));
    }
  }
}

await sql`CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v bigint NOT NULL, payload text NOT NULL)`;
await sql`CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY, k int NOT NULL, at bigint NOT NULL)`;

const reporter = setInterval(() => report(), REPORT_EVERY_MS);
const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
const stopRequested = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => line.trim() === 'stop' && resolve());
  lines.on('close', () => resolve());
});
await stopRequested;
isStopping = true;
// A connection may be waiting out postgres.js's reconnect backoff (up to 20 s after a burst of refused
// connections): end() gives in-flight work 5 s, then rejects whatever is left, so every worker finishes.
await Promise.all([Promise.all(workers), sql.end({ timeout: 5 })]);
clearInterval(reporter);
report(true);
// The backoff timer of such a connection outlives end(); nothing is left to do, so do not wait for it.
process.exit(0);
