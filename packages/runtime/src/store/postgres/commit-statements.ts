/**
 * The set-based statements of a commit: each takes whole columns as arrays and applies one part of a
 * {@link CommitBatch} in one statement (`unnest` for inserts, `ANY` for deletes), so a commit costs a handful
 * of statements whatever its size. Bytes travel as hex text (`decode(x, 'hex')`).
 */
import type postgres from 'postgres';

import { encodeDeadLetterMessages } from '../common/rows.js';
import type {
  ConnectorPosition,
  DeadLetter,
  EgressAppend,
  FunctionSpecRecord,
  StateWrite,
  StoredMessage,
  StoredTimer,
  TimerCancellation,
} from '../store.js';
import { KEY_GROUPS_CHANNEL } from './notify.js';
import { toHex } from './sql.js';
import type { TxSql } from './sql.js';

/** A statement of the commit pipeline. */
export type Statement<R extends object = postgres.Row> = postgres.PendingQuery<R[]>;

/** A message to insert; `idempotencyKey` is set for ingress writes that claim a key. */
export interface MessageInsert {
  readonly message: StoredMessage;
  readonly idempotencyKey: string | null;
}

/** One row of the ingress statement's result. */
export interface IngressKeyRow {
  readonly key: string;
  /** True when this commit claimed the key. */
  readonly claimed: boolean;
  /** The seq recorded for the key before this statement, when it existed. */
  readonly existing_seq: number | null;
}

/**
 * The `traceparent` column of some rows: an empty array when none has one (tracing off), which `unnest` pads with
 * nulls, so a commit without traces builds no array for them.
 */
function traceparents<T>(rows: readonly T[], of: (row: T) => string | undefined): readonly (string | null)[] {
  let any = false;
  for (const row of rows) if (of(row) !== undefined) any = true;
  return any ? rows.map((row) => of(row) ?? null) : NO_TRACEPARENTS;
}
const NO_TRACEPARENTS: readonly (string | null)[] = Object.freeze([]);

function messageColumns(inserts: readonly MessageInsert[]) {
  return {
    seq: inserts.map((i) => i.message.seq),
    keyGroup: inserts.map((i) => i.message.keyGroup),
    targetType: inserts.map((i) => i.message.target.type),
    targetId: inserts.map((i) => i.message.target.id),
    callerType: inserts.map((i) => i.message.caller?.type ?? null),
    callerId: inserts.map((i) => i.message.caller?.id ?? null),
    typename: inserts.map((i) => i.message.argument.typename),
    value: inserts.map((i) => toHex(i.message.argument.value)),
    enqueuedAt: inserts.map((i) => i.message.enqueuedAt),
    key: inserts.map((i) => i.idempotencyKey),
    traceparent: traceparents(inserts, (i) => i.message.traceparent),
  };
}

/** Inserts messages that claim no idempotency key (the common case: no ingress keys in the batch). */
export function insertMessages(tx: TxSql, inserts: readonly MessageInsert[]): Statement {
  const c = messageColumns(inserts);
  return tx`
    INSERT INTO messages (seq, key_group, target_type, target_id, caller_type, caller_id, typename, value, enqueued_at, traceparent)
    SELECT seq, key_group, target_type, target_id, caller_type, caller_id, typename, decode(value_hex, 'hex'), enqueued_at, traceparent
    FROM unnest(${c.seq}::bigint[], ${c.keyGroup}::int[], ${c.targetType}::text[], ${c.targetId}::text[],
                ${c.callerType}::text[], ${c.callerId}::text[], ${c.typename}::text[], ${c.value}::text[],
                ${c.enqueuedAt}::bigint[], ${c.traceparent}::text[])
      AS m(seq, key_group, target_type, target_id, caller_type, caller_id, typename, value_hex, enqueued_at, traceparent)`;
}

/**
 * Claims idempotency keys and inserts the messages in one statement: a message with a key is inserted only if
 * this statement claimed the key (`ON CONFLICT DO NOTHING`). Keys must be distinct (the caller resolves repeats
 * inside the batch), and are claimed in key order, so two processes claiming overlapping keys wait for each
 * other instead of deadlocking. Returns one row per key: claimed, or the seq it had before.
 */
export function insertIngressAndMessages(
  tx: TxSql,
  inserts: readonly MessageInsert[],
): Statement<IngressKeyRow> {
  const c = messageColumns(inserts);
  // The final SELECT runs on the statement's snapshot, so `ingress_keys` there holds only keys committed before.
  return tx<IngressKeyRow[]>`
    WITH input AS (
      SELECT * FROM unnest(${c.seq}::bigint[], ${c.keyGroup}::int[], ${c.targetType}::text[], ${c.targetId}::text[],
                           ${c.callerType}::text[], ${c.callerId}::text[], ${c.typename}::text[], ${c.value}::text[],
                           ${c.enqueuedAt}::bigint[], ${c.key}::text[], ${c.traceparent}::text[])
        AS i(seq, key_group, target_type, target_id, caller_type, caller_id, typename, value_hex, enqueued_at, key, traceparent)
    ),
    claimed AS (
      INSERT INTO ingress_keys (key, seq, created_at)
      SELECT key, seq, enqueued_at FROM input WHERE key IS NOT NULL ORDER BY key
      ON CONFLICT (key) DO NOTHING
      RETURNING key
    ),
    inserted AS (
      INSERT INTO messages (seq, key_group, target_type, target_id, caller_type, caller_id, typename, value, enqueued_at, traceparent)
      SELECT seq, key_group, target_type, target_id, caller_type, caller_id, typename, decode(value_hex, 'hex'), enqueued_at, traceparent
      FROM input WHERE key IS NULL OR key IN (SELECT key FROM claimed)
    )
    SELECT i.key, c.key IS NOT NULL AS claimed, k.seq AS existing_seq
    FROM input i
    LEFT JOIN claimed c ON c.key = i.key
    LEFT JOIN ingress_keys k ON k.key = i.key
    WHERE i.key IS NOT NULL`;
}

/** The seqs recorded for keys (after a concurrent transaction claimed them first). */
export function selectIngressKeys(
  tx: TxSql,
  keys: readonly string[],
): Statement<{ key: string; seq: number }> {
  return tx<
    { key: string; seq: number }[]
  >`SELECT key, seq FROM ingress_keys WHERE key = ANY(${keys}::text[])`;
}

export function upsertSpecs(tx: TxSql, specs: readonly FunctionSpecRecord[]): Statement {
  return tx`
    INSERT INTO function_specs (function_type, state_name, typename, expire_mode, expire_after_ms)
    SELECT * FROM unnest(${specs.map((s) => s.functionType)}::text[], ${specs.map((s) => s.stateName)}::text[],
                         ${specs.map((s) => s.typename)}::text[], ${specs.map((s) => s.expireMode)}::text[],
                         ${specs.map((s) => s.expireAfterMs)}::bigint[])
    ON CONFLICT (function_type, state_name) DO UPDATE SET
      typename = excluded.typename, expire_mode = excluded.expire_mode, expire_after_ms = excluded.expire_after_ms`;
}

export function deleteMessages(tx: TxSql, seqs: readonly number[]): Statement {
  return tx`DELETE FROM messages WHERE seq = ANY(${seqs}::bigint[])`;
}

export function deleteTimers(tx: TxSql, ids: readonly number[]): Statement {
  return tx`DELETE FROM timers WHERE id = ANY(${ids}::bigint[])`;
}

export function cancelTimers(tx: TxSql, cancellations: readonly TimerCancellation[]): Statement {
  return tx`
    DELETE FROM timers t
    USING unnest(${cancellations.map((c) => c.sender.type)}::text[], ${cancellations.map((c) => c.sender.id)}::text[],
                 ${cancellations.map((c) => c.token)}::text[]) AS c(sender_type, sender_id, token)
    WHERE t.sender_type = c.sender_type AND t.sender_id = c.sender_id AND t.token = c.token`;
}

export function insertTimers(tx: TxSql, timers: readonly StoredTimer[]): Statement {
  return tx`
    INSERT INTO timers (id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, value, traceparent)
    SELECT id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, decode(value_hex, 'hex'), traceparent
    FROM unnest(${timers.map((t) => t.id)}::bigint[], ${timers.map((t) => t.keyGroup)}::int[],
                ${timers.map((t) => t.fireAt)}::bigint[], ${timers.map((t) => t.sender.type)}::text[],
                ${timers.map((t) => t.sender.id)}::text[], ${timers.map((t) => t.token ?? null)}::text[],
                ${timers.map((t) => t.target.type)}::text[], ${timers.map((t) => t.target.id)}::text[],
                ${timers.map((t) => t.argument.typename)}::text[], ${timers.map((t) => toHex(t.argument.value))}::text[],
                ${traceparents(timers, (t) => t.traceparent)}::text[])
      AS t(id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, value_hex, traceparent)`;
}

/** Upserts state values (in key order, so concurrent writers cannot deadlock); one write per key, with a value. */
export function upsertState(tx: TxSql, writes: readonly StateWrite[]): Statement {
  return tx`
    INSERT INTO state (function_type, id, name, key_group, typename, value, expires_at)
    SELECT function_type, id, name, key_group, typename, decode(value_hex, 'hex'), expires_at
    FROM unnest(${writes.map((w) => w.address.type)}::text[], ${writes.map((w) => w.address.id)}::text[],
                ${writes.map((w) => w.name)}::text[], ${writes.map((w) => w.keyGroup)}::int[],
                ${writes.map((w) => w.value?.typename ?? '')}::text[],
                ${writes.map((w) => (w.value === undefined ? '' : toHex(w.value.value)))}::text[],
                ${writes.map((w) => w.expiresAt ?? null)}::bigint[])
      AS s(function_type, id, name, key_group, typename, value_hex, expires_at)
    ORDER BY function_type, id, name
    ON CONFLICT (function_type, id, name) DO UPDATE SET
      key_group = excluded.key_group, typename = excluded.typename, value = excluded.value,
      expires_at = excluded.expires_at`;
}

/** Deletes state values; at most one write per (type, id, name). */
export function deleteState(tx: TxSql, writes: readonly StateWrite[]): Statement {
  return tx`
    DELETE FROM state s
    USING unnest(${writes.map((w) => w.address.type)}::text[], ${writes.map((w) => w.address.id)}::text[],
                 ${writes.map((w) => w.name)}::text[]) AS d(function_type, id, name)
    WHERE s.function_type = d.function_type AND s.id = d.id AND s.name = d.name`;
}

function egressColumns(records: readonly EgressAppend[]) {
  return {
    egressId: records.map((e) => e.egressId),
    producerType: records.map((e) => e.producer.type),
    producerId: records.map((e) => e.producer.id),
    typename: records.map((e) => e.value.typename),
    value: records.map((e) => toHex(e.value.value)),
    createdAt: records.map((e) => e.createdAt),
    traceparent: traceparents(records, (e) => e.traceparent),
  };
}

/** Inserts egress records at the offsets the engine chose, and moves each egress head past them. */
export function insertEgressAtOffsets(tx: TxSql, records: readonly EgressAppend[]): Statement {
  const c = egressColumns(records);
  return tx`
    WITH inserted AS (
      INSERT INTO egress (egress_id, record_offset, producer_type, producer_id, typename, value, created_at, traceparent)
      SELECT egress_id, record_offset, producer_type, producer_id, typename, decode(value_hex, 'hex'), created_at, traceparent
      FROM unnest(${c.egressId}::text[], ${records.map((e) => e.offset)}::bigint[], ${c.producerType}::text[],
                  ${c.producerId}::text[], ${c.typename}::text[], ${c.value}::text[], ${c.createdAt}::bigint[],
                  ${c.traceparent}::text[])
        AS r(egress_id, record_offset, producer_type, producer_id, typename, value_hex, created_at, traceparent)
      RETURNING egress_id, record_offset
    )
    INSERT INTO egress_heads (egress_id, next_offset)
    SELECT egress_id, max(record_offset) + 1 FROM inserted GROUP BY egress_id ORDER BY egress_id
    ON CONFLICT (egress_id) DO UPDATE SET next_offset = GREATEST(egress_heads.next_offset, excluded.next_offset)`;
}

/**
 * Appends egress records at offsets taken from each egress head: `head, head + 1, …` in batch order per egress
 * id. The head rows stay locked until the commit ends, so concurrent commits get disjoint, contiguous ranges.
 */
export function appendEgress(tx: TxSql, records: readonly EgressAppend[]): Statement {
  const counts = new Map<string, number>();
  const index = records.map((e) => {
    const n = counts.get(e.egressId) ?? 0;
    counts.set(e.egressId, n + 1);
    return n;
  });
  // Heads are locked in egress id order, so two commits never wait on each other's heads in a cycle.
  const ids = [...counts.keys()].sort();
  const c = egressColumns(records);
  return tx`
    WITH counts AS (
      SELECT * FROM unnest(${ids}::text[], ${ids.map((id) => counts.get(id) ?? 0)}::bigint[]) AS c(egress_id, n)
    ),
    heads AS (
      INSERT INTO egress_heads (egress_id, next_offset)
      SELECT egress_id, n FROM counts ORDER BY egress_id
      ON CONFLICT (egress_id) DO UPDATE SET next_offset = egress_heads.next_offset + excluded.next_offset
      RETURNING egress_id, next_offset
    )
    INSERT INTO egress (egress_id, record_offset, producer_type, producer_id, typename, value, created_at, traceparent)
    SELECT r.egress_id, h.next_offset - c.n + r.idx, r.producer_type, r.producer_id, r.typename,
           decode(r.value_hex, 'hex'), r.created_at, r.traceparent
    FROM unnest(${c.egressId}::text[], ${index}::bigint[], ${c.producerType}::text[], ${c.producerId}::text[],
                ${c.typename}::text[], ${c.value}::text[], ${c.createdAt}::bigint[], ${c.traceparent}::text[])
      AS r(egress_id, idx, producer_type, producer_id, typename, value_hex, created_at, traceparent)
    JOIN heads h ON h.egress_id = r.egress_id
    JOIN counts c ON c.egress_id = r.egress_id`;
}

export function insertDeadLetters(tx: TxSql, letters: readonly Omit<DeadLetter, 'id'>[]): Statement {
  return tx`
    INSERT INTO dead_letters (key_group, address_type, address_id, messages, reason, created_at)
    SELECT key_group, address_type, address_id, messages, reason, created_at
    FROM unnest(${letters.map((d) => d.messages[0]?.keyGroup ?? null)}::int[], ${letters.map((d) => d.address.type)}::text[],
                ${letters.map((d) => d.address.id)}::text[], ${letters.map((d) => encodeDeadLetterMessages(d.messages))}::text[],
                ${letters.map((d) => d.reason)}::text[], ${letters.map((d) => d.createdAt)}::bigint[])
      WITH ORDINALITY AS d(key_group, address_type, address_id, messages, reason, created_at, ord)
    ORDER BY ord`;
}

/** Deletes dead letters (replayed or discarded), returning the ids it found. */
export function deleteDeadLetters(tx: TxSql, ids: readonly number[]): Statement<{ id: number }> {
  return tx<
    { id: number }[]
  >`DELETE FROM dead_letters WHERE id = ANY(${ids}::bigint[]) RETURNING id::float8 AS id`;
}

/**
 * Upserts connector positions (in key order, so concurrent writers cannot deadlock); one per (connector, source,
 * part), as an upsert cannot touch a row twice.
 */
export function upsertConnectorPositions(tx: TxSql, positions: readonly ConnectorPosition[]): Statement {
  return tx`
    INSERT INTO connector_positions (connector, source, part, position)
    SELECT * FROM unnest(${positions.map((p) => p.connector)}::text[], ${positions.map((p) => p.source)}::text[],
                         ${positions.map((p) => p.part)}::text[], ${positions.map((p) => p.position)}::text[])
      AS p(connector, source, part, position)
    ORDER BY connector, source, part
    ON CONFLICT (connector, source, part) DO UPDATE SET position = excluded.position`;
}

/** Raises `id_counters` rows to at least the given values (single-process commits, whose ids the engine chose). */
export function raiseIdCounters(tx: TxSql, raises: ReadonlyMap<string, number>): Statement {
  const names = [...raises.keys()].sort();
  return tx`
    UPDATE id_counters AS c SET last_value = v.max_value
    FROM unnest(${names}::text[], ${names.map((n) => raises.get(n) ?? 0)}::bigint[]) AS v(name, max_value)
    WHERE c.name = v.name AND c.last_value < v.max_value`;
}

/** Announces key groups to listeners of every process, when (and only if) the transaction commits. */
export function notifyKeyGroups(tx: TxSql, payloads: readonly string[]): Statement {
  return tx`SELECT pg_notify(${KEY_GROUPS_CHANNEL}, p) FROM unnest(${payloads}::text[]) AS p`;
}
