import { ConfigError } from '../errors.js';

// Flink's `TimeUtils.TimeUnit` labels (each long form also in the plural), in nanoseconds so that
// sub-millisecond units divide exactly instead of multiplying by an inexact 1e-6.
const NS_PER_UNIT: ReadonlyMap<string, number> = new Map(
  (
    [
      [1, ['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds']],
      [1e3, ['us', 'µs', 'micro', 'micros', 'microsecond', 'microseconds']],
      [1e6, ['ms', 'milli', 'millis', 'millisecond', 'milliseconds']],
      [1e9, ['s', 'sec', 'secs', 'second', 'seconds']],
      [60e9, ['m', 'min', 'mins', 'minute', 'minutes']],
      [3_600e9, ['h', 'hour', 'hours']],
      [86_400e9, ['d', 'day', 'days']],
    ] as const
  ).flatMap(([ns, labels]) => labels.map((label) => [label, ns] as const)),
);

/** What {@link parseDuration} accepts, for error messages. */
export const DURATION_SYNTAX =
  'a whole number with an optional unit (ns, us, ms, s/sec/second, m/min/minute, h/hour, d/day; ' +
  'e.g. "20s", "2 min", "1minute"), or a bare number of milliseconds';

/**
 * Parses a duration in Flink `TimeUtils` syntax: a non-negative whole number, optional spaces and an optional
 * unit (`ns`, `us`/`µs`, `ms`, `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hour(s)`, `d`/`day(s)`,
 * and Flink's long forms such as `millis` or `nanos`). Units are case-insensitive. A bare number, as a string
 * or a YAML number, is milliseconds. Sub-millisecond units give fractional milliseconds.
 *
 * @param text - the duration as written, e.g. `"2 min"`, `"15min"`, `"20s"`, `"1minute"`, `1500`.
 * @returns the duration in milliseconds.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_DURATION` naming `text` when it is not a duration.
 * @example
 * parseDuration('2 min'); // 120000
 * parseDuration(1500); // 1500
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text) && text >= 0) return text;
    throw invalidDuration(text);
  }
  const match = /^(\d+)\s*(\S*)$/u.exec(text.trim());
  const digits = match?.[1];
  const label = match?.[2]?.toLowerCase() ?? '';
  const nsPerUnit = label === '' ? 1e6 : NS_PER_UNIT.get(label);
  if (digits === undefined || nsPerUnit === undefined) throw invalidDuration(text);
  const ms = nsPerUnit >= 1e6 ? Number(digits) * (nsPerUnit / 1e6) : Number(digits) / (1e6 / nsPerUnit);
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) throw invalidDuration(text);
  return ms;
}

function invalidDuration(text: string | number): ConfigError {
  return new ConfigError(
    'ERR_CONFIG_INVALID_DURATION',
    `Invalid duration ${typeof text === 'number' ? String(text) : JSON.stringify(text)}: expected ${DURATION_SYNTAX}.`,
  );
}
