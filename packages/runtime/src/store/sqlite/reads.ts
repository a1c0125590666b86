/**
 * Reads of the SQLite store that take more than one prepared statement call: the pending messages and timers
 * of some key groups, and the counters the engine resumes from.
 */
import { messageFromRow, timerFromRow } from '../common/rows.js';
import type { StoreCounters, StoredMessage, StoredTimer } from '../store.js';
import type { HighWaterMarks } from './commit.js';
import type { SqliteEgressRanges } from './egress-range.js';
import type { SqliteStatements } from './statements.js';

/**
 * Pending messages of the given key groups (all when `undefined`), in seq order.
 *
 * @see Store.loadMessages
 */
export function loadMessages(
  statements: SqliteStatements,
  keyGroups: readonly number[] | undefined,
): StoredMessage[] {
  return ofKeyGroups(keyGroups, statements.selectMessages, statements.selectMessagesIn).map(messageFromRow);
}

/**
 * Pending timers of the given key groups (all when `undefined`), by fire time, then id.
 *
 * @see Store.loadTimers
 */
export function loadTimers(
  statements: SqliteStatements,
  keyGroups: readonly number[] | undefined,
): StoredTimer[] {
  return ofKeyGroups(keyGroups, statements.selectTimers, statements.selectTimersIn).map(timerFromRow);
}

/** The rows of every key group (`undefined`), of none (`[]`), or of the listed ones (a JSON array parameter). */
function ofKeyGroups<R>(
  keyGroups: readonly number[] | undefined,
  all: { all(): R[] },
  listed: { all(keyGroupsJson: string): R[] },
): R[] {
  if (keyGroups === undefined) return all.all();
  if (keyGroups.length === 0) return [];
  return listed.all(JSON.stringify(keyGroups));
}

/**
 * The id high-water marks and the next offset of every egress.
 *
 * @param marks - the store's current high-water marks.
 * @see Store.loadCounters
 */
export function loadCounters(
  statements: SqliteStatements,
  egress: SqliteEgressRanges,
  marks: HighWaterMarks,
): StoreCounters {
  // An egress whose records were all deleted by retention continues after its retained range.
  const egressNextOffsets = egress.firstOffsets();
  for (const row of statements.selectEgressNextOffsets.all()) {
    egressNextOffsets.set(
      row.egress_id,
      Math.max(row.next_offset, egressNextOffsets.get(row.egress_id) ?? 0),
    );
  }
  return { maxMessageSeq: marks.maxMessageSeq, maxTimerId: marks.maxTimerId, egressNextOffsets };
}
