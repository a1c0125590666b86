import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process logger: human-readable on a terminal, JSON lines otherwise (for log shippers).
 *
 * @param level - pino level name.
 * @returns the root logger.
 */
export function createLogger(level: string): Logger {
  if (process.stdout.isTTY) {
    return pino(
      { level },
      pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }),
    );
  }
  return pino({ level });
}
