import { createServer } from 'node:net';

import { startPostgres, waitFor } from '@statehouse/testkit';
import type { TestPostgres } from '@statehouse/testkit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BlockIdAllocator } from '../cluster/block-id-allocator.js';
import { StoreError } from '../errors.js';
import { describeClusterStoreConformance } from './cluster-conformance.js';
import { describeStoreConformance } from './conformance.js';
import { migrateSchema, PG_META_KEYS, PG_MIGRATIONS, PG_SCHEMA_VERSION } from './postgres/migrations.js';
import { encodeKeyGroupPayloads, decodeKeyGroupPayload } from './postgres/notify.js';
import { redactUrl } from './postgres/postgres-errors.js';
import { createSql } from './postgres/sql.js';
import type { Sql, TxSql } from './postgres/sql.js';
import { openPostgresStore, PostgresStore } from './postgres/postgres-store.js';
import { EMPTY_COMMIT_BATCH } from './store.js';

const META = { keyGroups: 8, hash: 'test-hash' };

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/** Stores opened on one database, closed by `closeAll`. */
function storesOn(): {
  add: (store: PostgresStore) => PostgresStore;
  closeAll: () => Promise<void>;
} {
  const stores: PostgresStore[] = [];
  return {
    add: (store) => (stores.push(store), store),
    closeAll: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    },
  };
}

describeStoreConformance('PostgresStore', async () => {
  const url = await pg.createDatabase();
  const stores = storesOn();
  return {
    store: stores.add(new PostgresStore({ url, max: 2 })),
    reopen: () => Promise.resolve(stores.add(new PostgresStore({ url, max: 2 }))),
    cleanup: stores.closeAll,
  };
});

describeClusterStoreConformance('PostgresStore', async () => {
  const url = await pg.createDatabase();
  const stores = storesOn();
  return {
    newStore: () => stores.add(new PostgresStore({ url, max: 4 })),
    cleanup: stores.closeAll,
  };
});

/** A port nothing listens on (bound a moment ago, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
    });
  });
}

describe('PostgresStore (PostgreSQL specifics)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openStore(url: string): Promise<PostgresStore> {
    const store = await openPostgresStore(url, META, { max: 2 });
    cleanups.push(() => store.close());
    return store;
  }

  /** A raw client on the database, as an operator (or an older or newer Statehouse) would use it. */
  function rawSql(url: string): Sql {
    const sql = createSql({ url, max: 1, connectTimeoutMs: 5_000 });
    cleanups.push(() => sql.end({ timeout: 1 }));
    return sql;
  }

  it('records the schema version, key groups and hash in meta', async () => {
    const url = await pg.createDatabase();
    await (await openStore(url)).close();
    const rows = await rawSql(url)<{ key: string; value: string }[]>`SELECT key, value FROM meta`;
    expect(Object.fromEntries(rows.map((r) => [r.key, r.value]))).toEqual({
      [PG_META_KEYS.schemaVersion]: String(PG_SCHEMA_VERSION),
      [PG_META_KEYS.keyGroups]: '8',
      [PG_META_KEYS.hash]: 'test-hash',
    });
  });

  it('refuses a store written by a newer schema, and leaves it untouched', async () => {
    const url = await pg.createDatabase();
    await (await openStore(url)).close();
    const sql = rawSql(url);
    const newer = String(PG_SCHEMA_VERSION + 1);
    await sql`UPDATE meta SET value = ${newer} WHERE key = ${PG_META_KEYS.schemaVersion}`;
    const store = new PostgresStore({ url });
    cleanups.push(() => store.close());
    const err = await store.open(META).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ERR_STORE_SCHEMA_TOO_NEW');
    expect((err as StoreError).message).toMatch(/upgrade Statehouse/i);
    const [row] = await sql<
      { value: string }[]
    >`SELECT value FROM meta WHERE key = ${PG_META_KEYS.schemaVersion}`;
    expect(row?.value).toBe(newer);
  });

  it('applies pending migrations in order, and rolls a failing one back', async () => {
    const url = await pg.createDatabase();
    await (await openStore(url)).close();
    const sql = rawSql(url);
    // The test's migrations come after the real ones.
    const current = PG_MIGRATIONS.length;
    const next = current + 1;
    const v2 = {
      version: next,
      description: 'test table',
      up: async (tx: TxSql) => void (await tx`CREATE TABLE t2 (x int)`),
    };
    const broken = {
      version: next,
      description: 'broken',
      up: async (tx: TxSql) => {
        await tx`CREATE TABLE t3 (x int)`;
        throw new Error('boom');
      },
    };
    const where = redactUrl(url);
    await expect(sql.begin((tx) => migrateSchema(tx, where, [...PG_MIGRATIONS, broken]))).rejects.toThrow(
      'boom',
    );
    const version = async (): Promise<string | undefined> =>
      (await sql<{ value: string }[]>`SELECT value FROM meta WHERE key = ${PG_META_KEYS.schemaVersion}`)[0]
        ?.value;
    expect(await version()).toBe(String(current));
    expect((await sql`SELECT to_regclass('t3') AS t`)[0]?.t).toBeNull();
    expect(await sql.begin((tx) => migrateSchema(tx, where, [...PG_MIGRATIONS, v2]))).toEqual({
      from: current,
      to: next,
    });
    expect(await sql.begin((tx) => migrateSchema(tx, where, [...PG_MIGRATIONS, v2]))).toEqual({
      from: next,
      to: next,
    });
    expect(await version()).toBe(String(next));
  });

  it('migrates a store of schema version 5: its inbox stays, and connector positions commit', async () => {
    const url = await pg.createDatabase();
    const sql = rawSql(url);
    await sql.begin(async (tx) => {
      await migrateSchema(tx, redactUrl(url), PG_MIGRATIONS.slice(0, 5));
      await tx`
        INSERT INTO messages (seq, key_group, target_type, target_id, typename, value, enqueued_at)
        VALUES (1, 1, 'a/b', 'c', 't/t', decode('01', 'hex'), 1)`;
    });
    const store = await openStore(url);
    expect((await store.loadMessages()).map((m) => m.seq)).toEqual([1]);
    expect(await store.loadConnectorPositions('com.example/names')).toEqual([]);
    const position = { connector: 'com.example/names', source: 'names', part: '0', position: '7' };
    await store.commit({ ...EMPTY_COMMIT_BATCH, consumedMessages: [1], positions: [position] });
    expect(await store.loadConnectorPositions('com.example/names')).toEqual([position]);
    expect(
      (await sql<{ value: string }[]>`SELECT value FROM meta WHERE key = ${PG_META_KEYS.schemaVersion}`)[0]
        ?.value,
    ).toBe(String(PG_SCHEMA_VERSION));
  });

  it('forgets members that have been silent for an hour', async () => {
    const url = await pg.createDatabase();
    const store = await openStore(url);
    const sql = rawSql(url);
    const longAgo = Date.now() - 2 * 60 * 60 * 1000;
    await sql`INSERT INTO members (incarnation, node_id, advertise, heartbeat_at, started_at) VALUES ('old#1', 'old', 'x:1', ${longAgo}, ${longAgo}), ('recent#1', 'recent', 'x:2', ${Date.now() - 60_000}, ${longAgo})`;
    await store.heartbeat({ nodeId: 'me', incarnation: 'me#1', advertise: 'x:3' }, 10_000);
    const rows = await sql<{ node_id: string }[]>`SELECT node_id FROM members ORDER BY node_id`;
    expect(rows.map((r) => r.node_id)).toEqual(['me', 'recent']);
  });

  it('ends the session of a peer frozen inside a transaction on its leases, so a take-over is not blocked forever', async () => {
    const url = await pg.createDatabase();
    const store = await openStore(url);
    const keyGroups = [0, 1, 2, 3];
    // The peer's leases expire at once; its process then froze in a commit holding their share locks. The
    // server's idle-in-transaction timeout does not apply to it (disabled here, as it does not apply to a
    // process frozen in the middle of a pipelined statement either).
    await store.acquireLeases('frozen#1', keyGroups, 1);
    const peer = postgres(url, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: 'statehouse', idle_in_transaction_session_timeout: 0 },
    });
    cleanups.push(() => peer.end({ timeout: 1 }));
    const frozen = await peer.reserve();
    await frozen`BEGIN`;
    await frozen`SELECT key_group FROM leases WHERE owner = 'frozen#1' FOR SHARE`;
    // An unrelated application's long transaction on the same database is none of our business.
    const other = postgres(url, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: 'reporting' },
    });
    cleanups.push(() => other.end({ timeout: 1 }));
    const reporting = await other.reserve();
    await reporting`BEGIN`;
    await reporting`SELECT count(*) FROM members`;

    const first = await store.acquireLeases('taker#1', keyGroups, 10_000).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(StoreError);
    expect((first as StoreError).retryable).toBe(true);
    await expect(frozen`SELECT 1`).rejects.toThrow();
    const leases = await store.acquireLeases('taker#1', keyGroups, 10_000);
    expect(leases.map((l) => [l.keyGroup, l.owner, l.epoch])).toEqual(
      keyGroups.map((kg) => [kg, 'taker#1', 2]),
    );
    expect(await reporting`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    frozen.release();
    reporting.release();
  });

  it('re-subscribes a LISTEN connection the server dropped, and says so, so lost wake-ups are reloaded', async () => {
    const url = await pg.createDatabase();
    const store = await openStore(url);
    const sql = rawSql(url);
    const wakes: number[][] = [];
    let resubscribed = 0;
    const unlisten = await store.listen(
      (wake) => wakes.push([...wake.keyGroups]),
      () => (resubscribed += 1),
    );
    const notify = (kg: number) => sql`SELECT pg_notify('statehouse_key_groups', ${String(kg)})`;
    await notify(1);
    await waitFor('first wake-up', () => wakes.length === 1);
    // Twice in a row: the second drop may hit while the first re-subscription is under way.
    for (let i = 0; i < 2; i++) {
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'statehouse-listen' AND datname = current_database()`;
      await waitFor('re-subscribed', () => resubscribed === i + 1, { timeoutMs: 10_000 });
    }
    await notify(2);
    await waitFor('wake-up after the drop', () => wakes.some((w) => w.includes(2)));
    await unlisten();
    await store.close();
  });

  it('gives a reply more ids than a block holds once ensure() reserved them, still increasing', async () => {
    const store = await openStore(await pg.createDatabase());
    const ids = new BlockIdAllocator({ store }, { blockSize: 10 });
    await ids.rotate();
    expect(() => Array.from({ length: 35 }, () => ids.nextSeq())).toThrow(/no message seq block/);
    await ids.ensure(35, 12);
    const seqs = Array.from({ length: 35 }, () => ids.nextSeq());
    const timerIds = Array.from({ length: 12 }, () => ids.nextTimerId());
    for (const list of [seqs, timerIds])
      for (let i = 1; i < list.length; i++) expect(list[i]).toBeGreaterThan(list[i - 1]!);
    await store.close();
  });

  it('reports lifecycle misuse and invalid metadata with distinct codes', async () => {
    const url = await pg.createDatabase();
    const store = new PostgresStore({ url });
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

  it('refuses lease durations and id block sizes that are not positive integers, with a coded StoreError', async () => {
    const store = await openStore(await pg.createDatabase());
    const member = { nodeId: 'n', incarnation: 'n#1', advertise: 'x:1' };
    for (const call of [
      () => store.heartbeat(member, 0),
      () => store.acquireLeases('n#1', [0], 1.5),
      () => store.allocateSeqBlock(-1),
      () => store.allocateTimerIdBlock(Number.NaN),
    ]) {
      const err: unknown = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'ERR_STORE_INVALID_ARGUMENT', retryable: false });
      expect((err as StoreError).message).toMatch(/(leaseMs|size) must be a positive integer, got /);
    }
  });

  it('says which server it could not reach, without the password', async () => {
    const url = `postgres://statehouse:s3cret-pw@127.0.0.1:${await closedPort()}/nowhere`;
    const store = new PostgresStore({ url, connectTimeoutMs: 2_000 });
    cleanups.push(() => store.close());
    const err = (await store.open(META).catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('ERR_STORE_CONNECT_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('127.0.0.1');
    expect(err.message).toMatch(/running and reachable/);
    expect(err.message).not.toContain('s3cret-pw');
    // A failed open can be retried on the same object.
    expect(store.state).toBe('created');
  });

  it.runIf(process.env.STATEHOUSE_TEST_PG_URL === undefined)(
    'refuses a wrong password and a missing database as non-retryable connect failures',
    async () => {
      const good = new URL(await pg.createDatabase());
      const wrongPassword = new URL(good);
      wrongPassword.password = 'wrong';
      const missing = new URL(good);
      missing.pathname = '/statehouse_missing_db';
      for (const [url, hint] of [
        [wrongPassword, /user name and password/],
        [missing, /Create the database/],
      ] as const) {
        const err = (await new PostgresStore({ url: url.toString() })
          .open(META)
          .catch((e: unknown) => e)) as StoreError;
        expect(err.code).toBe('ERR_STORE_CONNECT_FAILED');
        expect(err.retryable).toBe(false);
        expect(err.message).toMatch(hint);
        expect(err.message).not.toContain('wrong');
      }
    },
  );

  it('wraps driver errors in StoreError with the driver error as cause', async () => {
    const store = await openStore(await pg.createDatabase());
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
    expect((err as StoreError).cause).toBeInstanceOf(postgres.PostgresError);
  });

  it('round-trips awkward text and bytes through the array parameters', async () => {
    const store = await openStore(await pg.createDatabase());
    const address = { type: 'ex/"quoted",{braced}\\', id: 'NULL' };
    const value = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.commit({
      ...EMPTY_COMMIT_BATCH,
      messages: [
        {
          seq: 1,
          keyGroup: 0,
          target: address,
          caller: { type: 'a/b', id: '' },
          argument: { typename: 'x/y', value },
          enqueuedAt: 1_700_000_000_000,
        },
      ],
      stateWrites: [
        { keyGroup: 0, address, name: 'null', value: { typename: 'NULL', value }, expiresAt: undefined },
      ],
    });
    const [m] = await store.loadMessages([0]);
    expect(m?.target).toEqual(address);
    expect(m?.caller).toEqual({ type: 'a/b', id: '' });
    expect(Array.from(m?.argument.value ?? [])).toEqual(Array.from(value));
    expect(m?.enqueuedAt).toBe(1_700_000_000_000);
    const [s] = await store.readState(address);
    expect([s?.name, s?.typename, s?.expiresAt]).toEqual(['null', 'NULL', undefined]);
  });

  it('splits long wake-up payloads and decodes them back', () => {
    const keyGroups = Array.from({ length: 4_000 }, (_, i) => 3_999 - i);
    const payloads = encodeKeyGroupPayloads([...keyGroups, 5]);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.every((p) => p.length < 8_000)).toBe(true);
    expect(payloads.flatMap((p) => decodeKeyGroupPayload(p).keyGroups)).toEqual([...keyGroups].reverse());
    expect(decodeKeyGroupPayload('1,x,,2').keyGroups).toEqual([1, 2]);
    expect(decodeKeyGroupPayload('3@17,3@18,4,x@1,5@y')).toEqual({
      keyGroups: [3, 4],
      seqs: [
        { keyGroup: 3, seq: 17 },
        { keyGroup: 3, seq: 18 },
      ],
    });
    const withSeqs = encodeKeyGroupPayloads([9], [{ keyGroup: 2, seq: 40 }]);
    expect(decodeKeyGroupPayload(withSeqs.join(','))).toEqual({
      keyGroups: [9, 2],
      seqs: [{ keyGroup: 2, seq: 40 }],
    });
  });
});
