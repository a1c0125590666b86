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
  if (keyGroups === undefined) return statements.selectMessages.all().map(messageFromRow);
  if (keyGroups.length === 0) return [];
  return statements.selectMessagesIn.all(JSON.stringify(keyGroups)).map(messageFromRow);
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
  if (keyGroups === undefined) return statements.selectTimers.all().map(timerFromRow);
  if (keyGroups.length === 0) return [];
  return statements.selectTimersIn.all(JSON.stringify(keyGroups)).map(timerFromRow);
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
  return { ...marks, egressNextOffsets };
}
