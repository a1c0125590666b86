import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { StoreError } from '../errors.js';
import { describeStoreConformance } from './conformance.js';
import { META_KEYS, migrateSchema, SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite/migrations.js';
import { openSqliteStore, SQLITE_STORE_FILE_NAME, SqliteStore } from './sqlite/sqlite-store.js';
import { EMPTY_COMMIT_BATCH } from './store.js';
import type { Store } from './store.js';

const META = { keyGroups: 8, hash: 'test-hash' };

describeStoreConformance('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'statehouse-store-'));
  const stores: Store[] = [new SqliteStore({ path: dir })];
  return {
    store: stores[0]!,
    reopen: () => {
      const store = new SqliteStore({ path: dir });
      stores.push(store);
      return Promise.resolve(store);
    },
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore (SQLite specifics)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'statehouse-sqlite-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function openStore(path: string): Promise<SqliteStore> {
    const store = await openSqliteStore(path, META);
    cleanups.push(() => store.close());
    return store;
  }

  /** Edits the database file directly, as an older or newer Statehouse would have left it. */
  function withRawDb(path: string, fn: (db: Database.Database) => void): void {
    const db = new Database(join(path, SQLITE_STORE_FILE_NAME));
    try {
      fn(db);
    } finally {
      db.close();
    }
  }

  it('counts the backlog off the event loop: requests keep being served while it counts', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    // Counts on its thread from the first (by default only once a count took 20 ms: a large backlog).
    const store = await openSqliteStore(await tempDir(), META, { logger, countOnThreadAfterMs: 0 });
    cleanups.push(() => store.close());
    const target = { type: 'example/cart', id: 'Kim' };
    const messages = Array.from({ length: 2_000 }, (_, i) => ({
      seq: i + 1,
      keyGroup: i % 8,
      target,
      caller: undefined,
      argument: { typename: 'example/Msg', value: Uint8Array.from([1]) },
      enqueuedAt: 1_000 + i,
    }));
    await store.commit({ ...EMPTY_COMMIT_BATCH, messages });
    // A count on the main thread would be done when inboxStats returns; on its own thread, the event loop turns
    // (here: setImmediate callbacks run) until its answer arrives.
    let turns = 0;
    let counting = true;
    const turn = (): void => {
      if (!counting) return;
      turns += 1;
      setImmediate(turn);
    };
    const stats = store.inboxStats();
    setImmediate(turn);
    const result = await stats.finally(() => (counting = false));
    expect(result).toEqual([{ functionType: 'example/cart', messages: 2_000, oldestEnqueuedAt: 1_000 }]);
    expect(turns).toBeGreaterThan(0);
    await store.commit({ ...EMPTY_COMMIT_BATCH, consumedMessages: [1, 2] });
    expect(await store.inboxStats([0, 1])).toEqual([
      { functionType: 'example/cart', messages: 498, oldestEnqueuedAt: 1_008 },
    ]);
    // Counted on its thread, not on the main thread after the thread failed.
    expect(warnings).toEqual([]);
  });

  it('creates a missing data directory and runs in WAL mode with synchronous = FULL', async () => {
    const path = join(await tempDir(), 'nested', 'data');
    const store = await openStore(path);
    expect(existsSync(join(path, SQLITE_STORE_FILE_NAME))).toBe(true);
    expect(await store.readPragma('journal_mode')).toBe('wal');
    expect(await store.readPragma('synchronous')).toBe(2); // 2 = FULL
    expect(await store.readPragma('busy_timeout')).toBe(5000);
  });

  it('records the schema version, key groups and hash in meta', async () => {
    const path = await tempDir();
    await (await openStore(path)).close();
    withRawDb(path, (db) => {
      const meta = Object.fromEntries(
        db
          .prepare<[], { key: string; value: string }>('SELECT key, value FROM meta')
          .all()
          .map((r) => [r.key, r.value]),
      );
      expect(meta).toMatchObject({
        [META_KEYS.schemaVersion]: String(SQLITE_SCHEMA_VERSION),
        [META_KEYS.keyGroups]: '8',
        [META_KEYS.hash]: 'test-hash',
      });
    });
  });

  it('refuses a store written by a newer schema, and leaves it untouched', async () => {
    const path = await tempDir();
    await (await openStore(path)).close();
    const newer = String(SQLITE_SCHEMA_VERSION + 1);
    withRawDb(path, (db) => {
      db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(newer, META_KEYS.schemaVersion);
    });
    const store = new SqliteStore({ path });
    cleanups.push(() => store.close());
    const err = await store.open(META).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ERR_STORE_SCHEMA_TOO_NEW');
    expect((err as StoreError).message).toMatch(/upgrade Statehouse/i);
    withRawDb(path, (db) => {
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_KEYS.schemaVersion)).toBe(
        newer,
      );
    });
  });

  it('applies pending migrations in order, in the transaction it is given', async () => {
    const path = await tempDir();
    await (await openStore(path)).close();
    // The test's migrations come after the real ones.
    const current = SQLITE_MIGRATIONS.length;
    const next = current + 1;
    const v2 = {
      version: next,
      description: 'test table',
      up: (db: Database.Database) => db.exec('CREATE TABLE t2 (x)'),
    };
    const broken = {
      version: next,
      description: 'broken',
      up: () => {
        throw new Error('boom');
      },
    };
    withRawDb(path, (db) => {
      expect(() => db.transaction(() => migrateSchema(db, 'f', [...SQLITE_MIGRATIONS, broken]))()).toThrow(
        'boom',
      );
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_KEYS.schemaVersion)).toBe(
        String(current),
      );
      expect(db.transaction(() => migrateSchema(db, 'f', [...SQLITE_MIGRATIONS, v2]))()).toEqual({
        from: current,
        to: next,
      });
      expect(db.transaction(() => migrateSchema(db, 'f', [...SQLITE_MIGRATIONS, v2]))()).toEqual({
        from: next,
        to: next,
      });
      expect(db.prepare('SELECT COUNT(*) FROM t2').pluck().get()).toBe(0);
    });
  });

  it('migrates a store of schema version 5: its inbox stays, and connector positions commit', async () => {
    const path = await tempDir();
    withRawDb(path, (db) => {
      db.transaction(() => migrateSchema(db, 'f', SQLITE_MIGRATIONS.slice(0, 5)))();
      db.prepare(
        `INSERT INTO messages (seq, key_group, target_type, target_id, typename, value, enqueued_at)
         VALUES (1, 1, 'a/b', 'c', 't/t', x'01', 1)`,
      ).run();
    });
    const store = await openStore(path);
    expect((await store.loadMessages()).map((m) => m.seq)).toEqual([1]);
    expect(await store.loadConnectorPositions('com.example/names')).toEqual([]);
    const position = { connector: 'com.example/names', source: 'names', part: '0', position: '7' };
    await store.commit({ ...EMPTY_COMMIT_BATCH, consumedMessages: [1], positions: [position] });
    expect(await store.loadConnectorPositions('com.example/names')).toEqual([position]);
    await store.close();
    withRawDb(path, (db) => {
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_KEYS.schemaVersion)).toBe(
        String(SQLITE_SCHEMA_VERSION),
      );
    });
  });

  it('reports lifecycle misuse and invalid metadata with distinct codes', async () => {
    const path = await tempDir();
    const store = new SqliteStore({ path });
    cleanups.push(() => store.close());
    await expect(store.countMessages()).rejects.toMatchObject({ code: 'ERR_STORE_NOT_OPEN' });
    await expect(store.open({ keyGroups: 0, hash: 'h' })).rejects.toMatchObject({
      code: 'ERR_STORE_META_INVALID',
    });
    await store.open(META);
    await expect(store.open(META)).rejects.toMatchObject({ code: 'ERR_STORE_ALREADY_OPEN' });
    await store.close();
    await expect(store.countMessages()).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    await expect(store.open(META)).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });

  it('keeps a commit that resolved when the process is killed right after it', async () => {
    const path = await tempDir();
    const storeModule = fileURLToPath(new URL('./sqlite/sqlite-store.ts', import.meta.url));
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = await openSqliteStore(${JSON.stringify(path)}, ${JSON.stringify(META)});
      const message = { seq: 7, keyGroup: 1, target: { type: 'a/b', id: 'c' }, caller: undefined,
        argument: { typename: 't/t', value: new Uint8Array([1]) }, enqueuedAt: 1 };
      const empty = { specs: [], ingress: [], messages: [], consumedMessages: [], firedTimers: [], timers: [],
        cancellations: [], stateWrites: [], egress: [], deadLetters: [], positions: [], removedDeadLetters: [] };
      await store.commit({ ...empty, messages: [message] });
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    const store = await openStore(path);
    expect((await store.loadMessages()).map((m) => m.seq)).toEqual([7]);
    expect((await store.loadCounters()).maxMessageSeq).toBe(7);
  });

  it('wraps driver errors in StoreError with the driver error as cause', async () => {
    const store = await openStore(await tempDir());
    const err = await store
      .commit({
        ...EMPTY_COMMIT_BATCH,
        egress: [0, 0].map((offset) => ({
          egressId: 'e/e',
          offset,
          producer: { type: 'a/b', id: 'c' },
          value: { typename: 't/t', value: new Uint8Array(0) },
          createdAt: 0,
        })),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ERR_STORE_CONSTRAINT');
    expect((err as StoreError).cause).toBeInstanceOf(Database.SqliteError);
  });
});

describe('data directory lock', () => {
  it('refuses a second store on the same directory while the first is open, and frees it on close', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'statehouse-lock-'));
    try {
      const meta = { keyGroups: 16, hash: 'h' };
      const first = new SqliteStore({ path: dir });
      await first.open(meta);
      await expect(new SqliteStore({ path: dir }).open(meta)).rejects.toMatchObject({
        code: 'ERR_STORE_LOCKED',
      });
      await first.close();
      const again = new SqliteStore({ path: dir });
      await again.open(meta);
      await again.close();
      // A LOCK file left by an older version for a process that is gone is ignored.
      await fs.writeFile(path.join(dir, 'LOCK'), `2147483646 ${os.hostname()}\n`);
      const afterCrash = new SqliteStore({ path: dir });
      await afterCrash.open(meta);
      await afterCrash.close();
      // An old-format LOCK file decides nothing, whichever host it names: the lock is a kernel lock.
      await fs.writeFile(path.join(dir, 'LOCK'), '42 some-other-host\n');
      const afterUpgrade = new SqliteStore({ path: dir });
      await afterUpgrade.open(meta);
      await afterUpgrade.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
