/**
 * Reads and maintenance statements of the PostgreSQL store. Row shapes and their conversion are shared with the
 * SQLite store (`common/rows.ts`), so both stores return identical values.
 */
import {
  deadLetterFromRow,
  egressFromRow,
  messageFromRow,
  specFromRow,
  stateFromRow,
  timerFromRow,
} from '../common/rows.js';
import type { DeadLetterRow, EgressRow, MessageRow, SpecRow, StateRow, TimerRow } from '../common/rows.js';
import type { FunctionAddress } from '../../core/address.js';
import type {
  ConnectorPosition,
  DeadLetter,
  EgressRecord,
  FunctionSpecRecord,
  InboxStats,
  StoreCounters,
  StoredMessage,
  StoredState,
  StoredTimer,
} from '../store.js';
import type postgres from 'postgres';
import { ID_COUNTERS } from './migrations.js';
import type { Sql } from './sql.js';

export async function loadFunctionSpecs(sql: Sql): Promise<FunctionSpecRecord[]> {
  const rows = await sql<SpecRow[]>`
    SELECT function_type, state_name, typename, expire_mode, expire_after_ms FROM function_specs
    ORDER BY function_type, state_name`;
  return rows.map(specFromRow);
}

/**
 * Pending messages with the given seqs (those still pending), in seq order.
 *
 * @param sql - the client.
 * @param seqs - message seqs.
 * @returns the messages found.
 */
export async function loadMessagesBySeq(sql: Sql, seqs: readonly number[]): Promise<StoredMessage[]> {
  if (seqs.length === 0) return [];
  return selectMessages(sql, sql`WHERE seq = ANY(${seqs}::bigint[])`);
}

/** Pending messages of the given key groups (all when `undefined`), in seq order. */
export async function loadMessages(
  sql: Sql,
  keyGroups: readonly number[] | undefined,
): Promise<StoredMessage[]> {
  if (keyGroups?.length === 0) return [];
  return selectMessages(sql, keyGroups === undefined ? sql`` : sql`WHERE ${inKeyGroups(sql, keyGroups)}`);
}

/** A page of the inbox (see `Store.loadInboxPage`). */
export async function loadInboxPage(
  sql: Sql,
  afterSeq: number,
  limit: number,
  keyGroups: readonly number[] | undefined,
): Promise<StoredMessage[]> {
  if (keyGroups?.length === 0) return [];
  const where =
    keyGroups === undefined
      ? sql`WHERE seq > ${afterSeq}`
      : sql`WHERE seq > ${afterSeq} AND ${inKeyGroups(sql, keyGroups)}`;
  return selectMessages(sql, where, limit);
}

/** The first pending messages of one address (see `Store.loadAddressInbox`). */
export async function loadAddressInbox(
  sql: Sql,
  address: FunctionAddress,
  limit: number,
): Promise<StoredMessage[]> {
  return selectMessages(sql, sql`WHERE target_type = ${address.type} AND target_id = ${address.id}`, limit);
}

const MESSAGE_COLUMNS = [
  'seq',
  'key_group',
  'target_type',
  'target_id',
  'caller_type',
  'caller_id',
  'typename',
  'value',
  'enqueued_at',
  'traceparent',
];

/** Pending messages matching `where`, in seq order, at most `limit`. */
async function selectMessages(
  sql: Sql,
  where: postgres.PendingQuery<postgres.Row[]>,
  limit?: number,
): Promise<StoredMessage[]> {
  const rows = await sql<MessageRow[]>`
    SELECT ${sql(MESSAGE_COLUMNS)} FROM messages ${where} ORDER BY seq ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
  return rows.map(messageFromRow);
}

function inKeyGroups(sql: Sql, keyGroups: readonly number[]): postgres.PendingQuery<postgres.Row[]> {
  return sql`key_group = ANY(${keyGroups}::int[])`;
}

/** See `Store.ingressSeqOf`. */
export async function ingressSeqOf(sql: Sql, idempotencyKey: string): Promise<number | undefined> {
  const rows = await sql<{ seq: string }[]>`SELECT seq FROM ingress_keys WHERE key = ${idempotencyKey}`;
  return rows[0] === undefined ? undefined : Number(rows[0].seq);
}

/** The backlog per function type (see `Store.inboxStats`). */
export async function inboxStats(sql: Sql, keyGroups: readonly number[] | undefined): Promise<InboxStats[]> {
  if (keyGroups?.length === 0) return [];
  const rows =
    keyGroups === undefined
      ? await sql<{ target_type: string; messages: string; oldest: string }[]>`
          SELECT target_type, COUNT(*) AS messages, MIN(enqueued_at) AS oldest FROM messages GROUP BY target_type`
      : await sql<{ target_type: string; messages: string; oldest: string }[]>`
          SELECT target_type, COUNT(*) AS messages, MIN(enqueued_at) AS oldest FROM messages
          WHERE key_group = ANY(${keyGroups}::int[]) GROUP BY target_type`;
  return rows.map((r) => ({
    functionType: r.target_type,
    messages: Number(r.messages),
    oldestEnqueuedAt: Number(r.oldest),
  }));
}

/** Pending timers of the given key groups (all when `undefined`), by fire time, then id. */
export async function loadTimers(sql: Sql, keyGroups: readonly number[] | undefined): Promise<StoredTimer[]> {
  if (keyGroups?.length === 0) return [];
  const rows =
    keyGroups === undefined
      ? await sql<TimerRow[]>`
          SELECT id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, value, traceparent
          FROM timers ORDER BY fire_at, id`
      : await sql<TimerRow[]>`
          SELECT id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, value, traceparent
          FROM timers WHERE key_group = ANY(${keyGroups}::int[]) ORDER BY fire_at, id`;
  return rows.map(timerFromRow);
}

/**
 * The id counters (never lowered, so ids are not reused after their rows are gone), raised to the highest ids
 * present in case rows were written around them, and the next offset of every egress that has one.
 */
export async function loadCounters(sql: Sql): Promise<StoreCounters> {
  const [[ids], heads] = await Promise.all([
    sql<{ max_message_seq: number; max_timer_id: number }[]>`
      SELECT
        GREATEST((SELECT last_value FROM id_counters WHERE name = ${ID_COUNTERS.messageSeq}),
                 (SELECT max(seq) FROM messages), 0) AS max_message_seq,
        GREATEST((SELECT last_value FROM id_counters WHERE name = ${ID_COUNTERS.timerId}),
                 (SELECT max(id) FROM timers), 0) AS max_timer_id`,
    sql<{ egress_id: string; next_offset: number }[]>`
      SELECT egress_id, next_offset FROM egress_heads WHERE next_offset > 0 ORDER BY egress_id`,
  ]);
  return {
    maxMessageSeq: ids?.max_message_seq ?? 0,
    maxTimerId: ids?.max_timer_id ?? 0,
    egressNextOffsets: new Map(heads.map((h) => [h.egress_id, h.next_offset])),
  };
}

export async function readState(sql: Sql, address: FunctionAddress): Promise<StoredState[]> {
  const rows = await sql<StateRow[]>`
    SELECT name, typename, value, expires_at FROM state
    WHERE function_type = ${address.type} AND id = ${address.id} ORDER BY name`;
  return rows.map(stateFromRow);
}

export async function readEgress(
  sql: Sql,
  egressId: string,
  from: number,
  limit: number,
): Promise<EgressRecord[]> {
  const rows = await sql<EgressRow[]>`
    SELECT egress_id, record_offset, producer_type, producer_id, typename, value, created_at, traceparent FROM egress
    WHERE egress_id = ${egressId} AND record_offset >= ${from} ORDER BY record_offset LIMIT ${limit}`;
  return rows.map(egressFromRow);
}

export async function readDeadLetter(sql: Sql, id: number): Promise<DeadLetter | undefined> {
  const rows = await sql<DeadLetterRow[]>`
    SELECT id, address_type, address_id, messages, reason, created_at FROM dead_letters WHERE id = ${id}`;
  return rows[0] === undefined ? undefined : deadLetterFromRow(rows[0]);
}

export async function listDeadLetters(sql: Sql, limit: number): Promise<DeadLetter[]> {
  const rows = await sql<DeadLetterRow[]>`
    SELECT id, address_type, address_id, messages, reason, created_at FROM dead_letters ORDER BY id LIMIT ${limit}`;
  return rows.map(deadLetterFromRow);
}

/** Rows deleted per statement by the pruning below: small transactions that autovacuum keeps up with. */
const PRUNE_BATCH_ROWS = 5_000;

/** Runs a bounded delete until it deletes fewer rows than a batch. */
async function pruneInBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch();
    total += n;
    if (n < PRUNE_BATCH_ROWS) return total;
  }
}

export function pruneIdempotencyKeys(sql: Sql, olderThan: number): Promise<number> {
  return pruneInBatches(
    async () =>
      (
        await sql`
          DELETE FROM ingress_keys WHERE created_at < ${olderThan} AND key IN (
            SELECT key FROM ingress_keys WHERE created_at < ${olderThan} LIMIT ${PRUNE_BATCH_ROWS})`
      ).count,
  );
}

export function pruneExpiredState(sql: Sql, now: number): Promise<number> {
  // The outer condition is re-checked on rows a concurrent commit just refreshed: those are never deleted.
  return pruneInBatches(
    async () =>
      (
        await sql`
          DELETE FROM state WHERE expires_at IS NOT NULL AND expires_at < ${now}
            AND (function_type, id, name) IN (
              SELECT function_type, id, name FROM state
              WHERE expires_at IS NOT NULL AND expires_at < ${now} LIMIT ${PRUNE_BATCH_ROWS})`
      ).count,
  );
}

/** See `Store.loadConnectorPositions`. */
export async function loadConnectorPositions(sql: Sql, connector: string): Promise<ConnectorPosition[]> {
  const rows = await sql<ConnectorPosition[]>`
    SELECT connector, source, part, position FROM connector_positions WHERE connector = ${connector}`;
  return [...rows];
}

export async function countMessages(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM messages`;
  return row?.n ?? 0;
}
