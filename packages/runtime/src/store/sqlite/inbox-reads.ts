/**
 * Reads of the inbox in pages: the backlog in seq order, one address's messages in seq order (by the
 * `messages_by_target` index), and the backlog per function type.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { messageFromRow, type MessageRow } from '../common/rows.js';
import type { FunctionAddress } from '../../core/address.js';
import type { InboxStats, StoredMessage } from '../store.js';

const COLUMNS =
  'seq, key_group, target_type, target_id, caller_type, caller_id, typename, value, enqueued_at, traceparent';

/**
 * The backlog counts per function type with the enqueue time of each type's oldest message, in SQL (also run by
 * `inbox-stats-worker.ts`). Seqs grow with time, so the smallest seq of a type is its oldest message: the index
 * answers alone, and one statement reads counts and times from one snapshot.
 */
export const INBOX_STATS_SQL = Object.freeze({
  all: `SELECT c.target_type, c.messages, m.enqueued_at FROM
       (SELECT target_type, COUNT(*) AS messages, MIN(seq) AS first_seq FROM messages GROUP BY target_type) c
       JOIN messages m ON m.seq = c.first_seq`,
  inKeyGroups: `SELECT c.target_type, c.messages, m.enqueued_at FROM
       (SELECT target_type, COUNT(*) AS messages, MIN(seq) AS first_seq FROM messages
        WHERE key_group IN (SELECT value FROM json_each(?)) GROUP BY target_type) c
       JOIN messages m ON m.seq = c.first_seq`,
});

/** A row of {@link INBOX_STATS_SQL}. */
export interface TypeCountRow {
  readonly target_type: string;
  readonly messages: number;
  readonly enqueued_at: number;
}

/** The backlog per function type from rows of {@link INBOX_STATS_SQL}. */
export function inboxStatsFromRows(rows: readonly TypeCountRow[]): InboxStats[] {
  return rows.map((r) => ({
    functionType: r.target_type,
    messages: r.messages,
    oldestEnqueuedAt: r.enqueued_at,
  }));
}

/** Paged inbox reads on one connection (statements prepared once). */
export class SqliteInboxReads {
  readonly #page: BetterSqlite3.Statement<[number, number], MessageRow>;
  readonly #pageIn: BetterSqlite3.Statement<[number, string, number], MessageRow>;
  readonly #ofAddress: BetterSqlite3.Statement<[string, string, number], MessageRow>;
  readonly #counts: BetterSqlite3.Statement<[], TypeCountRow>;
  readonly #countsIn: BetterSqlite3.Statement<[string], TypeCountRow>;

  constructor(db: BetterSqlite3.Database) {
    this.#page = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.#pageIn = db.prepare(
      `SELECT ${COLUMNS} FROM messages
       WHERE seq > ? AND key_group IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
    );
    this.#ofAddress = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE target_type = ? AND target_id = ? ORDER BY seq LIMIT ?`,
    );
    this.#counts = db.prepare(INBOX_STATS_SQL.all);
    this.#countsIn = db.prepare(INBOX_STATS_SQL.inKeyGroups);
  }

  /** @see Store.loadInboxPage */
  page(afterSeq: number, limit: number, keyGroups?: readonly number[]): StoredMessage[] {
    if (keyGroups === undefined) return this.#page.all(afterSeq, limit).map(messageFromRow);
    if (keyGroups.length === 0) return [];
    return this.#pageIn.all(afterSeq, JSON.stringify(keyGroups), limit).map(messageFromRow);
  }

  /** @see Store.loadAddressInbox */
  ofAddress(address: FunctionAddress, limit: number): StoredMessage[] {
    return this.#ofAddress.all(address.type, address.id, limit).map(messageFromRow);
  }

  /** @see Store.inboxStats */
  stats(keyGroups?: readonly number[]): InboxStats[] {
    return inboxStatsFromRows(
      keyGroups === undefined ? this.#counts.all() : this.#countsIn.all(JSON.stringify(keyGroups)),
    );
  }
}
