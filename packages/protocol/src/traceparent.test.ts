import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('parses a valid header and formats it back', () => {
    const parsed = parseTraceparent(VALID);
    expect(parsed).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    expect(formatTraceparent(parsed!)).toBe(VALID);
  });

  it('accepts a future version with extra fields, and surrounding whitespace', () => {
    expect(parseTraceparent(` 01-${VALID.slice(3)}-what-comes-next `)?.spanId).toBe('00f067aa0ba902b7');
  });

  it.each([
    undefined,
    '',
    'garbage',
    `ff-${VALID.slice(3)}`,
    `${VALID}-extra`,
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    VALID.toUpperCase(),
  ])('rejects %j', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});
