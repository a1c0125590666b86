/**
 * Where imported state is written: a data directory or a PostgreSQL database that no runtime is using (a running
 * runtime holds the state of its addresses in memory). Each chunk of lines commits in one transaction together
 * with the line it reached, so an interrupted import resumes after its last committed chunk.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { DEFAULT_KEY_GROUPS, KEY_GROUP_HASH } from '../core/address.js';
import {
  checkMeta as checkPostgresMeta,
  migrateSchema as migratePostgres,
  PG_META_KEYS,
} from '../store/postgres/migrations.js';
import type { TxSql } from '../store/postgres/sql.js';
import { META_KEYS, migrateSchema as migrateSqlite } from '../store/sqlite/migrations.js';
import { SQLITE_STORE_FILE_NAME } from '../store/sqlite/sqlite-options.js';
import { enableIncrementalVacuum } from '../store/sqlite/space.js';
import { snapshotSql } from './postgres-cut.js';
import { checkNoLiveMembers } from './postgres-restore.js';
import type { RestoreTarget } from './restore-snapshot.js';
import { lockTarget } from './sqlite-restore.js';

/** One state value to write. */
export interface StateUpsert {
  readonly functionType: string;
  readonly id: string;
  readonly name: string;
  readonly keyGroup: number;
  readonly typename: string;
  readonly value: Uint8Array;
  readonly expiresAt: number | null;
}

/** A target store open for an import. */
export interface ImportSink {
  /** The target's key groups (a new store gets the default). */
  readonly keyGroups: number;
  /** The last line committed by an earlier run of the import named `key`, or 0. */
  position(key: string): Promise<number>;
  /** Writes the values and records `line` under `key`, in one transaction. */
  commit(values: readonly StateUpsert[], key: string, line: number): Promise<void>;
  /** Forgets the position of a finished import. */
  finish(key: string): Promise<void>;
  close(): Promise<void>;
}

const UPSERT_COLUMNS = 'function_type, id, name, key_group, typename, value, expires_at';
const UPSERT_UPDATE =
  'ON CONFLICT (function_type, id, name) DO UPDATE SET key_group = excluded.key_group, ' +
  'typename = excluded.typename, value = excluded.value, expires_at = excluded.expires_at';

const rowOf = (v: StateUpsert): unknown[] => [
  v.functionType,
  v.id,
  v.name,
  v.keyGroup,
  v.typename,
  Buffer.from(v.value),
  v.expiresAt,
];

function openSqliteSink(dataDir: string): ImportSink {
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockTarget(dataDir);
  const file = join(dataDir, SQLITE_STORE_FILE_NAME);
  const isNew = !existsSync(file);
  const db = new Database(file);
  try {
    if (isNew) enableIncrementalVacuum(db, file, dataDir);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      migrateSqlite(db, file);
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
      insert.run(META_KEYS.keyGroups, String(DEFAULT_KEY_GROUPS));
      insert.run(META_KEYS.hash, KEY_GROUP_HASH);
    }).immediate();
  } catch (err) {
    db.close();
    unlock();
    throw err;
  }
  const getMeta = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
  const upsert = db.prepare(
    `INSERT INTO state (${UPSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ${UPSERT_UPDATE}`,
  );
  const commit = db.transaction((values: readonly StateUpsert[], key: string, line: number) => {
    for (const v of values) upsert.run(...rowOf(v));
    setMeta.run(key, String(line));
  });
  return {
    keyGroups: Number(getMeta.get(META_KEYS.keyGroups)),
    position: (key) => Promise.resolve(Number(getMeta.get(key) ?? 0)),
    commit: (values, key, line) => Promise.resolve(commit.immediate(values, key, line)),
    finish: (key) => Promise.resolve(void db.prepare('DELETE FROM meta WHERE key = ?').run(key)),
    close: () => {
      db.close();
      unlock();
      return Promise.resolve();
    },
  };
}

/** Values per INSERT: 7 parameters each, well under PostgreSQL's 65,535 parameters per statement. */
const VALUES_PER_STATEMENT = 5_000;

/**
 * The values to write, the last of each address and name kept (an INSERT … ON CONFLICT cannot update one row
 * twice; in SQLite, one statement per value, the last write wins the same way).
 */
function lastOfEach(values: readonly StateUpsert[]): StateUpsert[] {
  const byKey = new Map<string, StateUpsert>();
  for (const v of values) byKey.set(JSON.stringify([v.functionType, v.id, v.name]), v);
  return [...byKey.values()];
}

async function upsertChunk(tx: TxSql, values: readonly StateUpsert[]): Promise<void> {
  const unique = lastOfEach(values);
  for (let from = 0; from < unique.length; from += VALUES_PER_STATEMENT) {
    const part = unique.slice(from, from + VALUES_PER_STATEMENT);
    const placeholders = part.map(
      (_, r) => `(${[1, 2, 3, 4, 5, 6, 7].map((c) => `$${r * 7 + c}`).join(', ')})`,
    );
    await tx.unsafe(
      `INSERT INTO state (${UPSERT_COLUMNS}) VALUES ${placeholders.join(', ')} ${UPSERT_UPDATE}`,
      part.flatMap(rowOf) as never[],
    );
  }
}

async function openPostgresSink(url: string, where: string): Promise<ImportSink> {
  const sql = snapshotSql(url);
  let keyGroups: number;
  try {
    keyGroups = await sql.begin(async (tx) => {
      await migratePostgres(tx, where);
      await checkNoLiveMembers(tx, where);
      const [recorded] = await tx<
        { value: string }[]
      >`SELECT value FROM meta WHERE key = ${PG_META_KEYS.keyGroups}`;
      if (recorded === undefined)
        await checkPostgresMeta(tx, where, { keyGroups: DEFAULT_KEY_GROUPS, hash: KEY_GROUP_HASH });
      return Number(recorded?.value ?? DEFAULT_KEY_GROUPS);
    });
  } catch (err) {
    await sql.end({ timeout: 5 });
    throw err;
  }
  return {
    keyGroups,
    position: async (key) =>
      Number((await sql<{ value: string }[]>`SELECT value FROM meta WHERE key = ${key}`)[0]?.value ?? 0),
    commit: async (values, key, line) => {
      await sql.begin(async (tx) => {
        await upsertChunk(tx, values);
        await tx`INSERT INTO meta (key, value) VALUES (${key}, ${String(line)})
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
      });
    },
    finish: async (key) => void (await sql`DELETE FROM meta WHERE key = ${key}`),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * Opens the target of an import.
 *
 * @param target - a data directory or a PostgreSQL database.
 * @returns the sink.
 * @throws `SnapshotError` `ERR_SNAPSHOT_TARGET_IN_USE` when a runtime uses it.
 */
export function openImportSink(target: RestoreTarget): Promise<ImportSink> {
  return target.kind === 'sqlite'
    ? Promise.resolve(openSqliteSink(target.dataDir))
    : openPostgresSink(target.url, target.where);
}
