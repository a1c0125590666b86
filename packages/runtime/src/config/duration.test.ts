import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['1 min', 60_000],
    ['15min', 900_000],
    ['2m', 120_000],
    ['20s', 20_000],
    ['1minute', 60_000],
    ['2 minutes', 120_000],
    ['10 sec', 10_000],
    ['1 second', 1_000],
    ['3 seconds', 3_000],
    ['1h', 3_600_000],
    ['2 hours', 7_200_000],
    ['1d', 86_400_000],
    ['2 days', 172_800_000],
    ['250ms', 250],
    ['250 millis', 250],
    ['1500', 1_500],
    ['0', 0],
    ['  7 S  ', 7_000],
    ['1 MIN', 60_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['007s', 7_000],
  ])('parses %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [60_000, 60_000],
    [0, 0],
  ])('takes the number %d as milliseconds', (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  it.each([
    '',
    '   ',
    'min',
    '2 fortnights',
    '-5s',
    '1.5s',
    '1 m in',
    's20',
    '20 s s',
    '99999999999999999999d',
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])('rejects %j, naming it', (text) => {
    let error: unknown;
    try {
      parseDuration(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID_DURATION' });
    const shown = typeof text === 'number' ? String(text) : JSON.stringify(text);
    expect((error as Error).message).toContain(`Invalid duration ${shown}`);
    expect((error as Error).message).toContain('"2 min"');
  });
});
