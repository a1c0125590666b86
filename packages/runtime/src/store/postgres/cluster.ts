/**
 * Cluster bookkeeping of the PostgreSQL store: members and their heartbeats, key-group leases with epochs,
 * the fence check of a commit, and id blocks. Times are the store clock (the server's `clock_timestamp()`), so
 * nodes with skewed clocks still agree on who is live and which lease expired.
 */
import type { Logger } from 'pino';
import { StoreError } from '../../errors.js';
import type { ClusterView, LeaseRecord, MemberRecord } from '../cluster-store.js';
import type { Statement } from './commit-statements.js';
import { APPLICATION_NAME, nowMs, STALLED_CLIENT_MS, txNowMs } from './sql.js';
import type { Sql, TxSql } from './sql.js';

interface MemberRow {
  node_id: string;
  incarnation: string;
  advertise: string;
  heartbeat_at: number;
  started_at: number;
}

interface LeaseRow {
  key_group: number;
  owner: string | null;
  epoch: number;
  expires_at: number;
}

const memberFromRow = (row: MemberRow): MemberRecord => ({
  nodeId: row.node_id,
  incarnation: row.incarnation,
  advertise: row.advertise,
  heartbeatAt: row.heartbeat_at,
  startedAt: row.started_at,
});

const leaseFromRow = (row: LeaseRow): LeaseRecord => ({
  keyGroup: row.key_group,
  owner: row.owner ?? undefined,
  epoch: row.epoch,
  expiresAt: row.expires_at,
});

/** Distinct key groups, ascending: rows are always locked in this order, so lease statements cannot deadlock. */
function sortedKeyGroups(keyGroups: readonly number[]): number[] {
  return [...new Set(keyGroups)].sort((a, b) => a - b);
}

/**
 * The fence of a commit: the leases among `leases` that `incarnation` still holds with exactly that epoch and
 * that have not expired, share-locked until the transaction ends (a concurrent acquire waits, then sees the
 * new epoch only after this commit). Fewer rows than leases means the commit is fenced.
 *
 * @param tx - the commit's transaction.
 * @param incarnation - the committing process start.
 * @param leases - `[keyGroup, epoch]` pairs, sorted by key group.
 */
export function fenceCheck(
  tx: TxSql,
  incarnation: string,
  leases: readonly (readonly [number, number])[],
): Statement<{ key_group: number }> {
  return tx<{ key_group: number }[]>`
    SELECT l.key_group FROM leases l
    JOIN unnest(${leases.map(([kg]) => kg)}::int[], ${leases.map(([, epoch]) => epoch)}::bigint[])
      AS f(key_group, epoch) ON l.key_group = f.key_group
    WHERE l.owner = ${incarnation} AND l.epoch = f.epoch AND l.expires_at > ${nowMs(tx)}
    ORDER BY l.key_group
    FOR SHARE OF l`;
}

/**
 * Lease statements give up waiting for a row lock after this long (`lock_timeout`), so a peer that froze while
 * holding one (a commit's fence share-locks its leases) can never block this process's heartbeat or takeover;
 * the statement fails, and the next round tries again.
 */
export const LEASE_LOCK_TIMEOUT_MS = 2_000;

/** `SET LOCAL lock_timeout` for the rest of the transaction. */
function limitLockWaits(tx: TxSql): Promise<unknown> {
  return tx`SELECT set_config('lock_timeout', ${`${LEASE_LOCK_TIMEOUT_MS}ms`}, true)`.execute();
}

/** Whether a lease statement gave up waiting for a row lock (`lock_timeout`, SQLSTATE 55P03). */
export function isLockTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '55P03';
}

/**
 * Ends the Statehouse sessions of this database that have waited on their client inside a transaction for
 * longer than {@link STALLED_CLIENT_MS}: their process is frozen (SIGSTOP, a long GC pause, a VM migration)
 * while holding row locks, typically a commit's share locks on its leases. The server's
 * `idle_in_transaction_session_timeout` ends a session frozen *between* statements, but not one frozen in the
 * middle of a pipelined statement (state `active`, waiting on `ClientRead`), which would otherwise block every
 * take-over of its key groups until the process resumes. Ending it rolls that transaction back; the frozen
 * process finds its connection gone on resume, and its commit fails as retryable, then fenced.
 *
 * What it cannot do (the role may not signal the peer's sessions) is logged, never thrown.
 *
 * @param sql - the store's client (not a transaction: this runs after a lease statement failed).
 * @param log - where the sessions ended, or the failure to end them, are reported.
 */
export async function endStalledSessions(sql: Sql, log: Logger | undefined): Promise<void> {
  try {
    const rows = await sql<{ pid: number; ended: boolean }[]>`
      SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = ${APPLICATION_NAME}
        AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND wait_event = 'ClientRead'
        AND state_change < clock_timestamp() - make_interval(secs => ${STALLED_CLIENT_MS / 1000})`;
    const pids = rows.filter((r) => r.ended).map((r) => r.pid);
    if (pids.length === 0) return;
    log?.warn(
      { pids },
      `ended ${pids.length} database session(s) that waited on a frozen process inside a transaction for over ${STALLED_CLIENT_MS} ms, holding locks a take-over needs`,
    );
  } catch (err) {
    log?.warn(
      { err },
      'could not end the database sessions of a frozen process (give all members the same database role, or grant pg_signal_backend); its key groups move only once it resumes or dies',
    );
  }
}

/** Members whose last heartbeat is older than this are deleted by the next heartbeat of any member. */
export const FORGET_MEMBER_AFTER_MS = 60 * 60 * 1000;

/**
 * Records a heartbeat of one incarnation, extends its unexpired leases, and reads the cluster view, in one
 * transaction. All of it uses the transaction's start time as "now", so the view is consistent (the caller is
 * always live in it). A lease that expired is never revived by its holder: it may have been frozen, and only a
 * new acquire (with a new epoch) makes it valid again. Silent earlier incarnations of the same node id are
 * removed from `members` (their leases expire on their own).
 *
 * @param sql - the store's client.
 * @param member - this process: its stable node id, its incarnation and its address.
 * @param leaseMs - lease duration and liveness timeout.
 * @returns the view at the heartbeat.
 */
export function heartbeat(
  sql: Sql,
  member: { nodeId: string; incarnation: string; advertise: string },
  leaseMs: number,
): Promise<ClusterView> {
  return sql.begin(async (tx) => {
    const limit = limitLockWaits(tx);
    const upsert = tx<{ now: number }[]>`
      INSERT INTO members AS m (incarnation, node_id, advertise, heartbeat_at, started_at)
      SELECT ${member.incarnation}, ${member.nodeId}, ${member.advertise}, now_ms, now_ms
      FROM (SELECT ${txNowMs(tx)} AS now_ms) AS clock
      ON CONFLICT (incarnation) DO UPDATE SET advertise = excluded.advertise, heartbeat_at = excluded.heartbeat_at
      RETURNING m.heartbeat_at AS now`.execute();
    const extend = tx`
      UPDATE leases SET expires_at = ${txNowMs(tx)} + ${leaseMs}
      WHERE key_group IN (
        SELECT key_group FROM leases WHERE owner = ${member.incarnation} AND expires_at > ${txNowMs(tx)}
        ORDER BY key_group FOR UPDATE
      )`.execute();
    // Members silent for an hour are long dead, and a silent earlier incarnation of this node id is replaced:
    // forget them so that `cluster status` stays readable.
    const forget = tx`
      DELETE FROM members WHERE incarnation <> ${member.incarnation} AND (
        heartbeat_at < ${txNowMs(tx)} - ${FORGET_MEMBER_AFTER_MS}
        OR (node_id = ${member.nodeId} AND heartbeat_at <= ${txNowMs(tx)} - ${leaseMs}))`.execute();
    const members = tx<MemberRow[]>`
      SELECT node_id, incarnation, advertise, heartbeat_at, started_at FROM members
      WHERE heartbeat_at > ${txNowMs(tx)} - ${leaseMs}
      ORDER BY node_id, started_at, incarnation`.execute();
    const leases = tx<LeaseRow[]>`
      SELECT key_group, owner, epoch, expires_at FROM leases ORDER BY key_group`.execute();
    const [, [clock], , , memberRows, leaseRows] = await Promise.all([
      limit,
      upsert,
      extend,
      forget,
      members,
      leases,
    ]);
    return {
      now: clock?.now ?? Date.now(),
      liveMembers: memberRows.map(memberFromRow),
      leases: leaseRows.map(leaseFromRow),
    };
  });
}

/**
 * Takes the key groups that are free, expired or already held by this incarnation (see
 * `ClusterStore.acquireLeases`).
 *
 * @returns the leases now held by `incarnation` among those asked for, by key group.
 */
export async function acquireLeases(
  sql: Sql,
  incarnation: string,
  keyGroups: readonly number[],
  leaseMs: number,
): Promise<LeaseRecord[]> {
  const sorted = sortedKeyGroups(keyGroups);
  if (sorted.length === 0) return [];
  // `excluded.expires_at - leaseMs` is this statement's "now". Keeping our own lease keeps its epoch: nobody else
  // held it in between, so commits fenced by that epoch stay valid. "Our own" means this incarnation: a restarted
  // process with the same node id is a new incarnation and always gets a new epoch.
  const rows = await sql.begin(async (tx) => {
    await limitLockWaits(tx);
    return tx<LeaseRow[]>`
    INSERT INTO leases AS l (key_group, owner, epoch, expires_at)
    SELECT kg, ${incarnation}, 1, ${nowMs(sql)} + ${leaseMs}
    FROM unnest(${sorted}::int[]) AS u(kg) ORDER BY kg
    ON CONFLICT (key_group) DO UPDATE SET
      owner = excluded.owner,
      epoch = CASE WHEN l.owner = excluded.owner THEN l.epoch ELSE l.epoch + 1 END,
      expires_at = excluded.expires_at
    WHERE l.owner = excluded.owner OR l.owner IS NULL OR l.expires_at <= excluded.expires_at - ${leaseMs}
    RETURNING l.key_group, l.owner, l.epoch, l.expires_at`;
  });
  return rows.map(leaseFromRow).sort((a, b) => a.keyGroup - b.keyGroup);
}

/** Releases the given leases of `incarnation` (owner cleared, expiry now, epoch kept so the next taker bumps it). */
export async function releaseLeases(
  sql: Sql,
  incarnation: string,
  keyGroups: readonly number[],
): Promise<void> {
  const sorted = sortedKeyGroups(keyGroups);
  if (sorted.length === 0) return;
  await sql.begin(async (tx) => {
    await limitLockWaits(tx);
    await tx`
      UPDATE leases SET owner = NULL, expires_at = ${nowMs(tx)}
      WHERE key_group IN (
        SELECT key_group FROM leases WHERE key_group = ANY(${sorted}::int[]) AND owner = ${incarnation}
        ORDER BY key_group FOR UPDATE
      )`;
  });
}

/** Removes an incarnation's member row and releases all its leases, in one transaction. */
export async function leave(sql: Sql, incarnation: string): Promise<void> {
  await sql.begin((tx) => [
    limitLockWaits(tx),
    tx`DELETE FROM members WHERE incarnation = ${incarnation}`.execute(),
    tx`
      UPDATE leases SET owner = NULL, expires_at = ${nowMs(tx)}
      WHERE key_group IN (SELECT key_group FROM leases WHERE owner = ${incarnation} ORDER BY key_group FOR UPDATE)`.execute(),
  ]);
}

/**
 * Reserves `size` ids from an `id_counters` row: the row lock makes reservations of all processes strictly
 * increasing and disjoint, and the row is never lowered.
 *
 * @param sql - the store's client.
 * @param counter - the row, e.g. `message_seq`.
 * @param size - how many ids.
 * @returns the first and last id of the block.
 */
export async function allocateIdBlock(
  sql: Sql,
  counter: string,
  size: number,
): Promise<{ first: number; last: number }> {
  const [row] = await sql<{ last_value: number }[]>`
    UPDATE id_counters SET last_value = last_value + ${size} WHERE name = ${counter} RETURNING last_value`;
  if (row === undefined) {
    throw new StoreError(
      'ERR_STORE_CORRUPT',
      `The id_counters row "${counter}" is missing: the schema was changed by hand; restore the database from a backup.`,
    );
  }
  return { first: row.last_value - size + 1, last: row.last_value };
}
