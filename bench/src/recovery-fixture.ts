/**
 * Writes a large store for the recovery workload straight into the runtime's SQLite file (no HTTP): counter
 * state for N addresses and M pending messages for a function type whose endpoint has nothing listening,
 * so they stay pending. The schema must exist already (start the runtime once on the data dir).
 */
import { statSync } from 'node:fs';

import { INT_TYPENAME, IntWrapper } from '@statehouse/protocol';
import { keyGroupOf } from '@statehouse/runtime';
import Database from 'better-sqlite3';

import { COUNTER_TYPE, INCREMENT_TYPENAME, PARKED_TYPE } from './names.js';

/** Rows per transaction. */
const CHUNK = 100_000;

/** Options of {@link fillRecoveryStore}. */
export interface RecoveryFixtureOptions {
  /** The `statehouse.db` file, schema already created. */
  readonly file: string;
  /** Addresses of `bench/counter` to give a `count` state. */
  readonly addresses: number;
  /** Pending messages to `bench/parked`, one address each. */
  readonly messages: number;
  /** K of the store (its `key_groups` meta). */
  readonly keyGroups: number;
}

/** What {@link fillRecoveryStore} wrote. */
export interface RecoveryFixture {
  readonly addresses: number;
  readonly messages: number;
  readonly fileBytes: number;
  readonly ms: number;
}

/**
 * Bulk-inserts the state rows and pending messages in a few big transactions.
 *
 * @param options - file, sizes and key groups.
 * @returns what was written and how long it took.
 */
export function fillRecoveryStore(options: RecoveryFixtureOptions): RecoveryFixture {
  const started = performance.now();
  const db = new Database(options.file);
  try {
    // Only the bench writes this file while it is built: a crash here just means building it again.
    db.pragma('synchronous = OFF');
    const width = String(options.addresses).length;
    const count = IntWrapper.encode({ value: 1 }).finish();
    const insertState = db.prepare(
      'INSERT INTO state (function_type, id, name, key_group, typename, value, expires_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    );
    const states = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const id = `a${String(i).padStart(width, '0')}`;
        insertState.run(
          COUNTER_TYPE,
          id,
          'count',
          keyGroupOf({ type: COUNTER_TYPE, id }, options.keyGroups),
          INT_TYPENAME,
          count,
        );
      }
    });
    for (let i = 0; i < options.addresses; i += CHUNK) states(i, Math.min(options.addresses, i + CHUNK));

    const insertMessage = db.prepare(
      'INSERT INTO messages (seq, key_group, target_type, target_id, caller_type, caller_id, typename, value, enqueued_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?)',
    );
    const encoder = new TextEncoder();
    const enqueuedAt = Date.now();
    const firstSeq = Number(db.prepare('SELECT COALESCE(MAX(seq), 0) FROM messages').pluck().get()) + 1;
    const messages = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const id = `p${i}`;
        const value = encoder.encode(JSON.stringify({ seq: i, sentAt: 0 }));
        insertMessage.run(
          firstSeq + i,
          keyGroupOf({ type: PARKED_TYPE, id }, options.keyGroups),
          PARKED_TYPE,
          id,
          INCREMENT_TYPENAME,
          value,
          enqueuedAt,
        );
      }
    });
    for (let i = 0; i < options.messages; i += CHUNK) messages(i, Math.min(options.messages, i + CHUNK));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return {
    addresses: options.addresses,
    messages: options.messages,
    fileBytes: statSync(options.file).size,
    ms: performance.now() - started,
  };
}
