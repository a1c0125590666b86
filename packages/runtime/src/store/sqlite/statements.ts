/** The prepared statements of the SQLite store, prepared once per open connection. */
import type BetterSqlite3 from 'better-sqlite3';

import type { DeadLetterRow, EgressRow, MessageRow, SpecRow, StateRow, TimerRow } from '../common/rows.js';
import type { ConnectorPosition } from '../store.js';

type Blob = Uint8Array;
type Statement<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/** The prepared statements of one connection, by purpose. */
export interface SqliteStatements {
  readonly upsertSpec: Statement<[string, string, string, string, number]>;
  readonly insertIngressKey: Statement<[string, number, number]>;
  readonly selectIngressKeySeq: Statement<[string], number>;
  readonly insertMessage: Statement<
    [number, number, string, string, string | null, string | null, string, Blob, number, string | null]
  >;
  readonly deleteMessage: Statement<[number]>;
  readonly deleteTimer: Statement<[number]>;
  readonly insertTimer: Statement<
    [number, number, number, string, string, string | null, string, string, string, Blob, string | null]
  >;
  readonly cancelTimer: Statement<[string, string, string]>;
  readonly upsertState: Statement<[string, string, string, number, string, Blob, number | null]>;
  readonly deleteState: Statement<[string, string, string]>;
  readonly insertEgress: Statement<[string, number, string, string, string, Blob, number, string | null]>;
  readonly insertDeadLetter: Statement<[number | null, string, string, string, string, number]>;
  readonly upsertMeta: Statement<[string, string]>;
  readonly selectMeta: Statement<[string], string>;
  readonly selectSpecs: Statement<[], SpecRow>;
  readonly selectMessages: Statement<[], MessageRow>;
  readonly selectMessagesIn: Statement<[string], MessageRow>;
  readonly selectTimers: Statement<[], TimerRow>;
  readonly selectTimersIn: Statement<[string], TimerRow>;
  readonly selectMaxMessageSeq: Statement<[], number>;
  readonly selectMaxTimerId: Statement<[], number>;
  readonly selectEgressNextOffsets: Statement<[], { egress_id: string; next_offset: number }>;
  readonly selectState: Statement<[string, string], StateRow>;
  readonly selectEgress: Statement<[string, number, number], EgressRow>;
  readonly selectDeadLetters: Statement<[number], DeadLetterRow>;
  readonly selectDeadLetter: Statement<[number], DeadLetterRow>;
  readonly deleteDeadLetter: Statement<[number]>;
  readonly pruneIngressKeys: Statement<[number]>;
  readonly pruneExpiredState: Statement<[number]>;
  readonly countMessages: Statement<[], number>;
  readonly upsertConnectorPosition: Statement<[string, string, string, string]>;
  readonly selectConnectorPositions: Statement<[string], ConnectorPosition>;
}

const MESSAGE_COLUMNS =
  'seq, key_group, target_type, target_id, caller_type, caller_id, typename, value, enqueued_at, traceparent';
const TIMER_COLUMNS =
  'id, key_group, fire_at, sender_type, sender_id, token, target_type, target_id, typename, value, traceparent';
/** Key groups are bound as one JSON array, so one statement serves any number of them. */
const IN_KEY_GROUPS = 'key_group IN (SELECT value FROM json_each(?))';

/**
 * Prepares every statement the store uses.
 *
 * @param db - an open database whose schema is migrated.
 * @returns the statements, by purpose.
 */
export function prepareStatements(db: BetterSqlite3.Database): SqliteStatements {
  return {
    ...prepareSpecAndMetaStatements(db),
    ...prepareMessageStatements(db),
    ...prepareTimerStatements(db),
    ...prepareStateStatements(db),
    ...prepareEgressStatements(db),
    ...prepareConnectorPositionStatements(db),
  };
}

/** The statements on function_specs and meta. */
function prepareSpecAndMetaStatements(
  db: BetterSqlite3.Database,
): Pick<SqliteStatements, 'upsertSpec' | 'selectSpecs' | 'upsertMeta' | 'selectMeta'> {
  return {
    upsertSpec: db.prepare<[string, string, string, string, number]>(
      `INSERT INTO function_specs (function_type, state_name, typename, expire_mode, expire_after_ms)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (function_type, state_name) DO UPDATE SET
         typename = excluded.typename, expire_mode = excluded.expire_mode, expire_after_ms = excluded.expire_after_ms`,
    ),
    selectSpecs: db.prepare<[], SpecRow>(
      `SELECT function_type, state_name, typename, expire_mode, expire_after_ms FROM function_specs
       ORDER BY function_type, state_name`,
    ),
    upsertMeta: db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    selectMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
  };
}

/** The statements on messages and ingress_keys. */
function prepareMessageStatements(
  db: BetterSqlite3.Database,
): Pick<
  SqliteStatements,
  | 'insertIngressKey'
  | 'selectIngressKeySeq'
  | 'pruneIngressKeys'
  | 'insertMessage'
  | 'deleteMessage'
  | 'selectMessages'
  | 'selectMessagesIn'
  | 'selectMaxMessageSeq'
  | 'countMessages'
> {
  return {
    insertIngressKey: db.prepare<[string, number, number]>(
      'INSERT INTO ingress_keys (key, seq, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
    ),
    selectIngressKeySeq: db.prepare<[string], number>('SELECT seq FROM ingress_keys WHERE key = ?').pluck(),
    pruneIngressKeys: db.prepare<[number]>('DELETE FROM ingress_keys WHERE created_at < ?'),
    insertMessage: db.prepare<
      [number, number, string, string, string | null, string | null, string, Blob, number, string | null]
    >(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deleteMessage: db.prepare<[number]>('DELETE FROM messages WHERE seq = ?'),
    selectMessages: db.prepare<[], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages ORDER BY seq`),
    selectMessagesIn: db.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${IN_KEY_GROUPS} ORDER BY seq`,
    ),
    selectMaxMessageSeq: db
      .prepare<[], number>(
        `SELECT MAX(COALESCE((SELECT MAX(seq) FROM messages), 0), COALESCE((SELECT MAX(seq) FROM ingress_keys), 0))`,
      )
      .pluck(),
    countMessages: db.prepare<[], number>('SELECT COUNT(*) FROM messages').pluck(),
  };
}

/** The statements on timers. */
function prepareTimerStatements(
  db: BetterSqlite3.Database,
): Pick<
  SqliteStatements,
  'insertTimer' | 'deleteTimer' | 'cancelTimer' | 'selectTimers' | 'selectTimersIn' | 'selectMaxTimerId'
> {
  return {
    insertTimer: db.prepare<
      [number, number, number, string, string, string | null, string, string, string, Blob, string | null]
    >(`INSERT INTO timers (${TIMER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deleteTimer: db.prepare<[number]>('DELETE FROM timers WHERE id = ?'),
    cancelTimer: db.prepare<[string, string, string]>(
      'DELETE FROM timers WHERE sender_type = ? AND sender_id = ? AND token = ?',
    ),
    selectTimers: db.prepare<[], TimerRow>(`SELECT ${TIMER_COLUMNS} FROM timers ORDER BY fire_at, id`),
    selectTimersIn: db.prepare<[string], TimerRow>(
      `SELECT ${TIMER_COLUMNS} FROM timers WHERE ${IN_KEY_GROUPS} ORDER BY fire_at, id`,
    ),
    selectMaxTimerId: db.prepare<[], number>('SELECT COALESCE(MAX(id), 0) FROM timers').pluck(),
  };
}

/** The statements on state. */
function prepareStateStatements(
  db: BetterSqlite3.Database,
): Pick<SqliteStatements, 'upsertState' | 'deleteState' | 'selectState' | 'pruneExpiredState'> {
  return {
    upsertState: db.prepare<[string, string, string, number, string, Blob, number | null]>(
      `INSERT INTO state (function_type, id, name, key_group, typename, value, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (function_type, id, name) DO UPDATE SET
         key_group = excluded.key_group, typename = excluded.typename, value = excluded.value,
         expires_at = excluded.expires_at`,
    ),
    deleteState: db.prepare<[string, string, string]>(
      'DELETE FROM state WHERE function_type = ? AND id = ? AND name = ?',
    ),
    selectState: db.prepare<[string, string], StateRow>(
      'SELECT name, typename, value, expires_at FROM state WHERE function_type = ? AND id = ? ORDER BY name',
    ),
    pruneExpiredState: db.prepare<[number]>(
      'DELETE FROM state WHERE expires_at IS NOT NULL AND expires_at < ?',
    ),
  };
}

/** The statements on egress and dead_letters. */
function prepareEgressStatements(
  db: BetterSqlite3.Database,
): Pick<
  SqliteStatements,
  | 'insertEgress'
  | 'selectEgress'
  | 'selectEgressNextOffsets'
  | 'insertDeadLetter'
  | 'selectDeadLetters'
  | 'selectDeadLetter'
  | 'deleteDeadLetter'
> {
  return {
    insertEgress: db.prepare<[string, number, string, string, string, Blob, number, string | null]>(
      `INSERT INTO egress (egress_id, record_offset, producer_type, producer_id, typename, value, created_at, traceparent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    selectEgress: db.prepare<[string, number, number], EgressRow>(
      `SELECT egress_id, record_offset, producer_type, producer_id, typename, value, created_at, traceparent FROM egress
       WHERE egress_id = ? AND record_offset >= ? ORDER BY record_offset LIMIT ?`,
    ),
    selectEgressNextOffsets: db.prepare<[], { egress_id: string; next_offset: number }>(
      'SELECT egress_id, MAX(record_offset) + 1 AS next_offset FROM egress GROUP BY egress_id',
    ),
    insertDeadLetter: db.prepare<[number | null, string, string, string, string, number]>(
      `INSERT INTO dead_letters (key_group, address_type, address_id, messages, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    selectDeadLetters: db.prepare<[number], DeadLetterRow>(
      `SELECT id, address_type, address_id, messages, reason, created_at FROM dead_letters ORDER BY id LIMIT ?`,
    ),
    selectDeadLetter: db.prepare<[number], DeadLetterRow>(
      `SELECT id, address_type, address_id, messages, reason, created_at FROM dead_letters WHERE id = ?`,
    ),
    deleteDeadLetter: db.prepare<[number]>('DELETE FROM dead_letters WHERE id = ?'),
  };
}

/** The statements on connector_positions. */
function prepareConnectorPositionStatements(
  db: BetterSqlite3.Database,
): Pick<SqliteStatements, 'upsertConnectorPosition' | 'selectConnectorPositions'> {
  return {
    upsertConnectorPosition: db.prepare<[string, string, string, string]>(
      `INSERT INTO connector_positions (connector, source, part, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (connector, source, part) DO UPDATE SET position = excluded.position`,
    ),
    selectConnectorPositions: db.prepare<[string], ConnectorPosition>(
      'SELECT connector, source, part, position FROM connector_positions WHERE connector = ?',
    ),
  };
}
