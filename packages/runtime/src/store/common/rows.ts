/**
 * Row shapes of the store tables and their conversion to and from the {@link Store} types. The SQLite and
 * PostgreSQL schemas use the same column names, so both stores return identical values.
 */
import { StoreError } from '../../errors.js';
import type {
  DeadLetter,
  EgressRecord,
  ExpireMode,
  FunctionSpecRecord,
  StoredMessage,
  StoredState,
  StoredTimer,
} from '../store.js';
import { STORE_ERROR_CODES } from './store-errors.js';

/** A row of `messages`. */
export interface MessageRow {
  seq: number;
  key_group: number;
  target_type: string;
  target_id: string;
  caller_type: string | null;
  caller_id: string | null;
  typename: string;
  value: Uint8Array;
  enqueued_at: number;
  traceparent: string | null;
}

/** A row of `state` as `readState` selects it. */
export interface StateRow {
  name: string;
  typename: string;
  value: Uint8Array;
  expires_at: number | null;
}

/** A row of `function_specs`. */
export interface SpecRow {
  function_type: string;
  state_name: string;
  typename: string;
  expire_mode: string;
  expire_after_ms: number;
}

/** A row of `timers`. */
export interface TimerRow {
  id: number;
  key_group: number;
  fire_at: number;
  sender_type: string;
  sender_id: string;
  token: string | null;
  target_type: string;
  target_id: string;
  typename: string;
  value: Uint8Array;
  traceparent: string | null;
}

/** A row of `egress`. */
export interface EgressRow {
  egress_id: string;
  record_offset: number;
  producer_type: string;
  producer_id: string;
  typename: string;
  value: Uint8Array;
  created_at: number;
  traceparent: string | null;
}

/** A row of `dead_letters`. */
export interface DeadLetterRow {
  id: number;
  address_type: string;
  address_id: string;
  messages: string;
  reason: string;
  created_at: number;
}

export function messageFromRow(row: MessageRow): StoredMessage {
  return {
    seq: row.seq,
    keyGroup: row.key_group,
    target: { type: row.target_type, id: row.target_id },
    caller: row.caller_type === null ? undefined : { type: row.caller_type, id: row.caller_id ?? '' },
    argument: { typename: row.typename, value: row.value },
    enqueuedAt: row.enqueued_at,
    traceparent: row.traceparent ?? undefined,
  };
}

export function stateFromRow(row: StateRow): StoredState {
  return {
    name: row.name,
    typename: row.typename,
    value: row.value,
    expiresAt: row.expires_at ?? undefined,
  };
}

const EXPIRE_MODES: ReadonlySet<string> = new Set<ExpireMode>(['NONE', 'AFTER_WRITE', 'AFTER_INVOKE']);

export function specFromRow(row: SpecRow): FunctionSpecRecord {
  if (!EXPIRE_MODES.has(row.expire_mode)) {
    throw new StoreError(
      STORE_ERROR_CODES.corrupt,
      `The stored spec of state "${row.state_name}" of ${row.function_type} has an unknown expire mode ` +
        `"${row.expire_mode}". Upgrade Statehouse, or delete the row from function_specs (it is learned again).`,
    );
  }
  return {
    functionType: row.function_type,
    stateName: row.state_name,
    typename: row.typename,
    expireMode: row.expire_mode as ExpireMode,
    expireAfterMs: row.expire_after_ms,
  };
}

export function timerFromRow(row: TimerRow): StoredTimer {
  return {
    id: row.id,
    keyGroup: row.key_group,
    fireAt: row.fire_at,
    sender: { type: row.sender_type, id: row.sender_id },
    token: row.token ?? undefined,
    target: { type: row.target_type, id: row.target_id },
    argument: { typename: row.typename, value: row.value },
    traceparent: row.traceparent ?? undefined,
  };
}

export function egressFromRow(row: EgressRow): EgressRecord {
  return {
    egressId: row.egress_id,
    offset: row.record_offset,
    producer: { type: row.producer_type, id: row.producer_id },
    value: { typename: row.typename, value: row.value },
    createdAt: row.created_at,
    traceparent: row.traceparent ?? undefined,
  };
}

/** A message inside the `dead_letters.messages` JSON, with its value in base64. */
interface DeadLetterMessageJson {
  seq: number;
  keyGroup: number;
  target: { type: string; id: string };
  caller: { type: string; id: string } | null;
  typename: string;
  value: string;
  enqueuedAt: number;
  /** The message's W3C `traceparent`; absent when tracing was off (and in dead letters of older versions). */
  traceparent?: string;
}

/**
 * Encodes the messages of a dead letter as JSON, values in base64 (readable with any SQL tool).
 *
 * @param messages - the batch that was moved aside.
 * @returns the JSON text.
 */
export function encodeDeadLetterMessages(messages: readonly StoredMessage[]): string {
  const json: DeadLetterMessageJson[] = messages.map((m) => ({
    seq: m.seq,
    keyGroup: m.keyGroup,
    target: { type: m.target.type, id: m.target.id },
    caller: m.caller === undefined ? null : { type: m.caller.type, id: m.caller.id },
    typename: m.argument.typename,
    value: Buffer.from(
      m.argument.value.buffer,
      m.argument.value.byteOffset,
      m.argument.value.byteLength,
    ).toString('base64'),
    enqueuedAt: m.enqueuedAt,
    ...(m.traceparent === undefined ? undefined : { traceparent: m.traceparent }),
  }));
  return JSON.stringify(json);
}

export function deadLetterFromRow(row: DeadLetterRow): DeadLetter {
  let parsed: DeadLetterMessageJson[];
  try {
    parsed = JSON.parse(row.messages) as DeadLetterMessageJson[];
    if (!Array.isArray(parsed)) throw new TypeError('not an array');
  } catch (err) {
    throw new StoreError(
      STORE_ERROR_CODES.corrupt,
      `Dead letter ${row.id} holds unreadable messages JSON. Inspect or delete the row in dead_letters.`,
      { cause: err },
    );
  }
  return {
    id: row.id,
    address: { type: row.address_type, id: row.address_id },
    messages: parsed.map((m) => ({
      seq: m.seq,
      keyGroup: m.keyGroup,
      target: { type: m.target.type, id: m.target.id },
      caller: m.caller === null ? undefined : { type: m.caller.type, id: m.caller.id },
      argument: { typename: m.typename, value: Buffer.from(m.value, 'base64') },
      enqueuedAt: m.enqueuedAt,
      traceparent: typeof m.traceparent === 'string' ? m.traceparent : undefined,
    })),
    reason: row.reason,
    createdAt: row.created_at,
  };
}

/**
 * The error of a commit that removes a dead letter that is not there (any more).
 *
 * @param id - the dead letter's id.
 */
export function deadLetterGone(id: number): StoreError {
  return new StoreError(
    STORE_ERROR_CODES.deadLetterGone,
    `Dead letter ${id} does not exist (any more): it was replayed or discarded already, or never existed. Nothing was changed; list the dead letters to see what is left.`,
  );
}
