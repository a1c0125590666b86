import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { TypePacing } from './type-pacing.js';

describe('TypePacing', () => {
  it('paces a type only after failures in a row, spreading its retries, until one succeeds', () => {
    const clock = new ManualClock(0);
    const pacing = new TypePacing({ clock }, { failuresToTrip: 3, attemptsPerSecond: 10 });
    expect(pacing.failed('ex/sick')).toBe(0);
    expect(pacing.failed('ex/sick')).toBe(0);
    expect(pacing.isPaced('ex/sick')).toBe(false);
    // Tripped: the retries are handed out 100 ms apart.
    expect(pacing.failed('ex/sick')).toBe(0);
    expect(pacing.isPaced('ex/sick')).toBe(true);
    expect(pacing.failed('ex/sick')).toBe(100);
    expect(pacing.failed('ex/sick')).toBe(200);
    clock.advance(1_000); // the slots handed out are in the past
    expect(pacing.failed('ex/sick')).toBe(0);
    expect(pacing.failed('ex/sick')).toBe(100);
    // Another type is not affected.
    expect(pacing.failed('ex/ok')).toBe(0);
    pacing.succeeded('ex/sick');
    expect(pacing.isPaced('ex/sick')).toBe(false);
    expect(pacing.failed('ex/sick')).toBe(0);
  });
});
