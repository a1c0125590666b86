import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from './kafka-log.js';

describe('kafkaLogCreator', () => {
  it('writes a repeated kafkajs warning once at warn level, its repeats and info lines at debug', () => {
    const lines: { level: number; msg: string }[] = [];
    const log = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const write = kafkaLogCreator(log)(logLevel.DEBUG);
    const entry = (level: logLevel, message: string) =>
      write({ namespace: 'Connection', level, label: 'x', log: { timestamp: '', message } });
    entry(logLevel.ERROR, 'Connection error: ECONNREFUSED');
    entry(logLevel.ERROR, 'Connection error: ECONNREFUSED');
    entry(logLevel.WARN, 'another warning');
    entry(logLevel.INFO, 'joined the group');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'Connection error: ECONNREFUSED'],
      [20, 'Connection error: ECONNREFUSED'],
      [40, 'another warning'],
      [20, 'joined the group'],
    ]);
  });
});
