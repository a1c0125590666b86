// The `date` of a Kafka ingress's `startupPosition`, read the way StateFun reads it: Java's
// `DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS Z")`, which wants exactly three digits of milliseconds
// and a numeric offset `+HHMM`. (StateFun's documentation shows `2020-02-01 04:15:00.00 Z`, which that
// pattern refuses; so do we, with the expected form in the message.)

/** The pattern of a startup date, as StateFun writes it. */
export const STARTUP_DATE_PATTERN = 'yyyy-MM-dd HH:mm:ss.SSS Z';

/** What a startup date looks like, for messages. */
export const STARTUP_DATE_SYNTAX =
  `a date in the form ${STARTUP_DATE_PATTERN}, with exactly 3 digits of milliseconds and the offset as ` +
  '+HHMM or -HHMM, e.g. "2020-02-01 04:15:00.000 +0000"';

const DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([+-])(\d{2})(\d{2})$/u;

/**
 * Parses a startup date strictly: every field in range (no 31st of February, offsets up to ±18:00).
 *
 * @param text - the date as written, e.g. `2020-02-01 04:15:00.000 +0100`.
 * @returns milliseconds since the epoch, or `undefined` when `text` is not such a date.
 */
export function parseStartupDate(text: string): number | undefined {
  const match = DATE.exec(text.trim());
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second, ms, , offsetHours, offsetMinutes] = match
    .slice(1)
    .map(Number) as [number, number, number, number, number, number, number, number, number, number];
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(local);
  // Date.UTC rolls over (Feb 30 → Mar 2): a field out of range shows as a different calendar date or time.
  const isExact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!isExact || year < 1000 || offsetHours > 18 || offsetMinutes > 59) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (match[8] === '-' ? -1 : 1);
  if (Math.abs(offsetMs) > 18 * 3_600_000) return undefined;
  return local - offsetMs;
}
