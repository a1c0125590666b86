/**
 * `readClusterStatus` on a real PostgreSQL: key groups per member, and what waits in them (messages, the
 * oldest message's age, the backlog per function type, timers), with expired leases counted as unowned.
 */
import { startPostgres, type TestPostgres } from '@statehouse/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { readClusterStatus } from './cluster-status.js';

const KEY_GROUPS = 8;
const LEASE_MS = 60_000;
/** How much older an age may read than written: the time between the inserts and the report. */
const SLACK_MS = 10_000;

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/** A database with the Statehouse schema. */
async function clusterDatabase(): Promise<string> {
  const url = await pg.createDatabase();
  const store = new PostgresStore({ url, max: 1 });
  await store.open({ keyGroups: KEY_GROUPS, hash: 'test-hash' });
  await store.close();
  return url;
}

describe('readClusterStatus', () => {
  it('reports each member’s key groups and backlog per function type, and what waits in unowned key groups', async () => {
    const url = await clusterDatabase();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [clock] = await sql<{ now: string }[]>`
        SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now`;
      const t = Number(clock!.now);
      await sql`
        INSERT INTO members (node_id, incarnation, advertise, heartbeat_at, started_at)
        VALUES ('a', 'a#1', '10.0.0.1:8091', ${t}, ${t - 60_000}), ('b', 'b#1', '10.0.0.2:8091', ${t}, ${t - 60_000})`;
      // a holds key groups 0 and 1, b holds 2; a's lease of 3 expired, and nobody ever took 4-7.
      await sql`
        INSERT INTO leases (key_group, owner, epoch, expires_at) VALUES
          (0, 'a#1', 1, ${t + LEASE_MS}), (1, 'a#1', 1, ${t + LEASE_MS}),
          (2, 'b#1', 1, ${t + LEASE_MS}), (3, 'a#1', 1, ${t - 1_000})`;
      const message = (seq: number, keyGroup: number, type: string, ageMs: number) => ({
        seq,
        key_group: keyGroup,
        target_type: type,
        target_id: `id-${seq}`,
        typename: 'ex/Msg',
        value: Buffer.from('{}'),
        enqueued_at: t - ageMs,
      });
      await sql`INSERT INTO messages ${sql([
        message(1, 0, 'ex/cart', 5_000),
        message(2, 0, 'ex/cart', 4_000),
        message(3, 0, 'ex/cart', 3_000),
        message(4, 1, 'ex/cart', 9_000),
        message(5, 1, 'ex/audit', 2_000),
        message(6, 3, 'ex/cart', 30_000),
        message(7, 5, 'ex/cart', 20_000),
      ])}`;
      await sql`
        INSERT INTO timers (id, key_group, fire_at, sender_type, sender_id, target_type, target_id, typename, value)
        VALUES (1, 2, ${t + 60_000}, 'ex/cart', 'x', 'ex/cart', 'y', 'ex/Msg', ${Buffer.from('{}')})`;

      const status = await readClusterStatus(url, LEASE_MS);

      expect(status.totalKeyGroups).toBe(KEY_GROUPS);
      const [a, b] = status.members;
      expect(a).toMatchObject({ nodeId: 'a', keyGroups: 2, pendingMessages: 5, pendingTimers: 0 });
      expect(a!.backlog.map((x) => [x.functionType, x.messages])).toEqual([
        ['ex/cart', 4],
        ['ex/audit', 1],
      ]);
      expectAge(a!.backlog[0]!.oldestAgeMs, 9_000);
      expectAge(a!.backlog[1]!.oldestAgeMs, 2_000);
      expectAge(a!.oldestMessageAgeMs, 9_000);
      expect(b).toMatchObject({
        nodeId: 'b',
        keyGroups: 1,
        pendingMessages: 0,
        oldestMessageAgeMs: 0,
        backlog: [],
        pendingTimers: 1,
      });
      expect(status.unowned).toMatchObject({ keyGroups: 5, pendingMessages: 2 });
      expect(status.unowned.backlog.map((x) => [x.functionType, x.messages])).toEqual([['ex/cart', 2]]);
      expectAge(status.unowned.oldestMessageAgeMs, 30_000);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }, 60_000);

  it('reports no backlog when nothing waits', async () => {
    const status = await readClusterStatus(await clusterDatabase(), LEASE_MS);
    expect(status.members).toEqual([]);
    expect(status.unowned).toEqual({
      keyGroups: KEY_GROUPS,
      pendingMessages: 0,
      oldestMessageAgeMs: 0,
      backlog: [],
    });
  }, 60_000);
});

/** An age written `writtenMs` ago, read a moment later. */
function expectAge(actualMs: number, writtenMs: number): void {
  expect(actualMs).toBeGreaterThanOrEqual(writtenMs);
  expect(actualMs).toBeLessThan(writtenMs + SLACK_MS);
}
