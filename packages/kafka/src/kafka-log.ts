/** kafkajs log lines into the runtime's pino logger. */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * A kafkajs `logCreator` writing to `log`. kafkajs reports every failed connection attempt as an error while it
 * retries: those lines are warnings here (the connector logs its own errors), and its chatty info lines debug.
 */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...fields } = entry;
      const line = { kafkajs: namespace, ...fields };
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(line, message);
      else log.debug(line, message);
    };
}
