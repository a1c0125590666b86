/**
 * Counts the backlog per function type on a worker thread, with its own read-only connection to the store's
 * file. The count scans an index (about 135 ms at a million pending messages); on the event loop it stalled
 * every request for that long every few seconds while a failing function's backlog was held. In WAL mode the
 * reader runs beside the writer and sees the last committed state.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InboxStats } from '../store.js';
import { INBOX_STATS_SQL, inboxStatsFromRows, type TypeCountRow } from './inbox-reads.js';

/** What the worker is given. */
interface WorkerData {
  readonly driver: string;
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly cacheSizeKib: number;
  readonly sql: typeof INBOX_STATS_SQL;
}

/** The worker (plain CommonJS, so that it runs the same from the build and from source under a test runner). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma('cache_size = ' + workerData.cacheSizeKib * -1);
const all = db.prepare(workerData.sql.all);
const some = db.prepare(workerData.sql.inKeyGroups);
parentPort.on('message', ({ id, keyGroups }) => {
  try {
    const rows = keyGroups === undefined ? all.all() : some.all(JSON.stringify(keyGroups));
    parentPort.postMessage({ id, rows });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

/**
 * Heap limits of the counting thread. Left at the defaults, its young generation alone may grow to tens of
 * megabytes of resident memory beside the runtime's own heap, for a job that holds a few hundred bytes.
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 } as const;

/**
 * The counting connection's page cache. better-sqlite3 builds SQLite with a 16 MiB cache per connection; a scan
 * of the whole backlog index fills it, and it stays resident beside the runtime's own connection. The scan reads
 * through the operating system's file cache just as fast.
 */
const WORKER_CACHE_KIB = 1024;

interface Reply {
  readonly id: number;
  readonly rows?: TypeCountRow[];
  readonly error?: string;
}

interface Waiter {
  readonly resolve: (stats: InboxStats[]) => void;
  readonly reject: (err: Error) => void;
}

/** One worker thread answering backlog counts of one SQLite file, started at the first count. */
export class InboxStatsWorker {
  readonly #data: WorkerData;
  readonly #waiters = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #nextId = 0;

  /** @param options.file - the store's database file; @param options.busyTimeoutMs - its busy timeout. */
  constructor(options: { readonly file: string; readonly busyTimeoutMs: number }) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#data = {
      driver,
      file: options.file,
      busyTimeoutMs: options.busyTimeoutMs,
      cacheSizeKib: WORKER_CACHE_KIB,
      sql: INBOX_STATS_SQL,
    };
  }

  /**
   * Counts the backlog (of the given key groups, or all).
   *
   * @throws when the worker cannot start or the read fails (the next count starts a new worker).
   */
  stats(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    const worker = this.#start();
    const id = (this.#nextId += 1);
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      worker.postMessage({ id, keyGroups });
    });
  }

  /** Stops the worker; counts still running fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the store was closed while counting its backlog'));
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: this.#data,
      // It holds one statement's rows (a line per function type): a small heap keeps its memory small.
      resourceLimits: WORKER_HEAP_LIMITS,
    });
    // It never keeps the process alive: the store closes it, and an exit ends it with the process.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.#waiters.get(reply.id);
      this.#waiters.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(inboxStatsFromRows(reply.rows ?? []));
    });
    const gone = (err: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(err);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the backlog counting thread exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #failAll(err: Error): void {
    for (const waiter of this.#waiters.values()) waiter.reject(err);
    this.#waiters.clear();
  }
}
