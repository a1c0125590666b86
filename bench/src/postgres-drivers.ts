/**
 * `node --import tsx bench/src/postgres-drivers.ts [--seconds 5] [--rows 16] [--rounds 2]`: commit throughput of
 * the store's set-based commit with postgres.js (statements pipelined inside `sql.begin`, as
 * `store/postgres/commit.ts` sends them) against node-postgres (`pg`, the same statements one after the other
 * inside BEGIN/COMMIT, since it does not pipeline), each on one connection, closed loop. Runs each driver with
 * `synchronous_commit` on (a WAL flush per commit, what the store runs with) and off (round trips and driver
 * CPU only). Uses `STATEHOUSE_TEST_PG_URL` if set, else an embedded PostgreSQL. Numbers for ADR 0007.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import pg from 'pg';
import postgres from 'postgres';
import { startPostgres } from '@statehouse/testkit';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rows: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(args.seconds);
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);
const WARMUP_MS = 1_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS state (fn text NOT NULL, id text NOT NULL, name text NOT NULL, value bytea NOT NULL,
                                    PRIMARY KEY (fn, id, name));
  CREATE TABLE IF NOT EXISTS messages (seq bigint PRIMARY KEY, target text NOT NULL, value bytea NOT NULL)`;
/** Upserts a column of state values: the shape of the store's `upsertState` (the postgres.js driver below has
 * the same three statements as tagged templates). */
const UPSERT_STATE = `
  INSERT INTO state (fn, id, name, value)
  SELECT fn, id, name, decode(v, 'hex') FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS s(fn, id, name, v)
  ON CONFLICT (fn, id, name) DO UPDATE SET value = EXCLUDED.value`;
/** Inserts the batch's outgoing messages: the shape of `insertMessages`. */
const INSERT_MESSAGES = `
  INSERT INTO messages (seq, target, value)
  SELECT seq, target, decode(v, 'hex') FROM unnest($1::bigint[], $2::text[], $3::text[]) AS m(seq, target, v)`;
/** Deletes the messages the batch consumed: the shape of `deleteMessages`. */
const DELETE_MESSAGES = `DELETE FROM messages WHERE seq = ANY($1::bigint[])`;

/** The columns of one commit: `ROWS` state writes, `ROWS` new messages, the previous commit's messages consumed. */
interface Batch {
  readonly fns: string[];
  readonly ids: string[];
  readonly names: string[];
  readonly values: string[];
  readonly seqs: number[];
  readonly targets: string[];
  readonly messageValues: string[];
  readonly consumed: number[];
}

function batch(commit: number): Batch {
  const ids = Array.from({ length: ROWS }, (_, i) => `id-${(commit * ROWS + i) % 10_000}`);
  const seqs = Array.from({ length: ROWS }, (_, i) => commit * ROWS + i);
  const value = Buffer.alloc(64, commit % 256).toString('hex');
  return {
    fns: ids.map(() => 'bench/counter'),
    ids,
    names: ids.map(() => 'count'),
    values: ids.map(() => value),
    seqs,
    targets: seqs.map((seq) => `bench/counter/${seq}`),
    messageValues: seqs.map(() => value),
    consumed: seqs.map((seq) => seq - ROWS),
  };
}

interface Driver {
  readonly name: string;
  commit(n: number): Promise<void>;
  close(): Promise<void>;
}

async function postgresJs(url: string, synchronousCommit: boolean): Promise<Driver> {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { synchronous_commit: synchronousCommit ? 'on' : 'off' },
  });
  await sql.unsafe(SCHEMA);
  return {
    name: 'postgres.js 3.4.9, pipelined in sql.begin',
    commit: async (n) => {
      const { fns, ids, names, values, seqs, targets, messageValues, consumed } = batch(n);
      await sql.begin(async (tx) => {
        // Like commit.ts: tagged statements, each queued on the connection before any answer is awaited.
        const pipeline = [
          tx`INSERT INTO state (fn, id, name, value)
             SELECT fn, id, name, decode(v, 'hex')
             FROM unnest(${fns}::text[], ${ids}::text[], ${names}::text[], ${values}::text[]) AS s(fn, id, name, v)
             ON CONFLICT (fn, id, name) DO UPDATE SET value = EXCLUDED.value`.execute(),
          tx`INSERT INTO messages (seq, target, value)
             SELECT seq, target, decode(v, 'hex')
             FROM unnest(${seqs}::bigint[], ${targets}::text[], ${messageValues}::text[]) AS m(seq, target, v)`.execute(),
          tx`DELETE FROM messages WHERE seq = ANY(${consumed}::bigint[])`.execute(),
        ];
        await Promise.all(pipeline);
      });
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

async function nodePostgres(url: string, synchronousCommit: boolean): Promise<Driver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET synchronous_commit = ${synchronousCommit ? 'on' : 'off'}`);
  await client.query(SCHEMA);
  return {
    name: `pg ${(await import('pg/package.json', { with: { type: 'json' } })).default.version}, sequential in BEGIN/COMMIT`,
    commit: async (n) => {
      const b = batch(n);
      await client.query('BEGIN');
      try {
        // Named statements: prepared once per connection, as postgres.js does by default.
        await client.query({
          name: 'upsert_state',
          text: UPSERT_STATE,
          values: [b.fns, b.ids, b.names, b.values],
        });
        await client.query({
          name: 'insert_messages',
          text: INSERT_MESSAGES,
          values: [b.seqs, b.targets, b.messageValues],
        });
        await client.query({ name: 'delete_messages', text: DELETE_MESSAGES, values: [b.consumed] });
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    },
    close: () => client.end(),
  };
}

interface Result {
  readonly commitsPerSecond: number;
  /** CPU time of this process (the driver's side) per commit. */
  readonly clientCpuUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function measure(driver: Driver, firstCommit: number): Promise<Result> {
  let n = firstCommit;
  const warmupEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnd) await driver.commit(n++);
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + SECONDS * 1_000;
  while (performance.now() < end) {
    const t = performance.now();
    await driver.commit(n++);
    latencies.push(performance.now() - t);
  }
  const elapsed = (performance.now() - start) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    commitsPerSecond: latencies.length / elapsed,
    clientCpuUs: (cpu.user + cpu.system) / latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

const server = await startPostgres();
try {
  console.log(
    `node ${process.version}, ${ROWS} rows per part, ${SECONDS} s per run after ${WARMUP_MS} ms warm-up, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log('| driver | synchronous_commit | round | commits/s | client CPU µs/commit | p50 ms | p99 ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const synchronousCommit of [true, false]) {
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate the drivers so drift on the machine hits both alike; a fresh database keeps tables small.
      for (const make of [postgresJs, nodePostgres]) {
        const driver = await make(await server.createDatabase(), synchronousCommit);
        try {
          const r = await measure(driver, 1_000_000);
          console.log(
            `| ${driver.name} | ${synchronousCommit ? 'on' : 'off'} | ${round} | ${r.commitsPerSecond.toFixed(0)} | ` +
              `${r.clientCpuUs.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`,
          );
        } finally {
          await driver.close();
        }
      }
    }
  }
} finally {
  await server.stop();
}
