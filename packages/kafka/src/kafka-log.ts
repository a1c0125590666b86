/** kafkajs log lines into the runtime's pino logger. */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** A kafkajs warning or error of one kind is written at warn level at most this often, ms; the rest at debug. */
const SAME_WARNING_EVERY_MS = 60_000;

/**
 * A kafkajs `logCreator` writing to `log`. kafkajs logs every failed connection attempt (with a stack) while it
 * retries: each kind of warning or error (namespace and message) is a warning once a minute, the repeats and
 * kafkajs's chatty info lines are debug, so a broker that is down for a day does not fill the log.
 */
export function kafkaLogCreator(log: Logger): logCreator {
  const lastWarned = new Map<string, number>();
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...fields } = entry;
      const line = { kafkajs: namespace, ...fields };
      if (level !== logLevel.ERROR && level !== logLevel.WARN) {
        log.debug(line, message);
        return;
      }
      const kind = `${namespace} ${message}`;
      const now = Date.now();
      if (now - (lastWarned.get(kind) ?? -Infinity) < SAME_WARNING_EVERY_MS) {
        log.debug(line, message);
        return;
      }
      if (lastWarned.size > 1_000) lastWarned.clear();
      lastWarned.set(kind, now);
      log.warn(line, message);
    };
}
