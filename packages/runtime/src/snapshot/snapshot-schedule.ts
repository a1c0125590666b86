/** The runtime options of scheduled snapshots, checked: where to, how often, how many to keep. */
import { parseDuration } from '../config/duration.js';
import { ConfigError, type SnapshotError } from '../errors.js';
import { parseSnapshotLocation } from './blob-store.js';
import type { ScheduledSnapshotsOptions } from './scheduled-snapshots.js';

/** The shortest interval of scheduled snapshots, ms. */
const MIN_EVERY_MS = 1_000;

/**
 * Checks the snapshot options of a runtime.
 *
 * @param o - `snapshotTo`, `snapshotEvery` and `snapshotKeep` as given.
 * @returns the schedule, or `undefined` when neither `snapshotTo` nor `snapshotEvery` is set.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` naming the option: one without the other, an invalid
 *   location, an interval that is no duration or under a second.
 */
export function resolveSnapshotSchedule(o: {
  readonly snapshotTo?: string | undefined;
  readonly snapshotEvery?: string | number | undefined;
  readonly snapshotKeep: number;
}): ScheduledSnapshotsOptions | undefined {
  if (o.snapshotTo === undefined && o.snapshotEvery === undefined) return undefined;
  const invalid = (option: string, message: string): ConfigError =>
    new ConfigError('ERR_CONFIG_INVALID_OPTION', `runtime option ${option}: ${message}`, { option });
  if (o.snapshotTo === undefined)
    throw invalid('snapshotTo', 'scheduled snapshots need a location (a directory or s3://bucket/prefix)');
  if (o.snapshotEvery === undefined)
    throw invalid('snapshotEvery', 'scheduled snapshots need an interval, e.g. "15m"');
  try {
    parseSnapshotLocation(o.snapshotTo);
  } catch (err) {
    throw invalid('snapshotTo', (err as SnapshotError).message);
  }
  let everyMs: number;
  try {
    everyMs = parseDuration(o.snapshotEvery);
  } catch (err) {
    throw invalid('snapshotEvery', (err as ConfigError).message);
  }
  if (everyMs < MIN_EVERY_MS)
    throw invalid(
      'snapshotEvery',
      `at least 1s, got ${JSON.stringify(o.snapshotEvery)} (${everyMs} ms: a bare number is milliseconds; add a unit, e.g. 30s or 15m)`,
    );
  return { to: o.snapshotTo, everyMs, keep: o.snapshotKeep };
}
