import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { LogThrottle } from './log-throttle.js';

describe('LogThrottle', () => {
  it('writes a few lines per key and window, and reports how many it left out with the next one', () => {
    const clock = new ManualClock(0);
    const throttle = new LogThrottle({ clock }, { perWindow: 2, windowMs: 1_000 });
    expect(throttle.take('a')).toEqual({ suppressed: 0 });
    expect(throttle.take('a')).toEqual({ suppressed: 0 });
    expect(throttle.take('a')).toBeUndefined();
    expect(throttle.take('a')).toBeUndefined();
    expect(throttle.take('b')).toEqual({ suppressed: 0 }); // another key has its own budget
    clock.advance(1_000);
    expect(throttle.take('a')).toEqual({ suppressed: 2 });
    expect(throttle.take('a')).toEqual({ suppressed: 0 });
    expect(throttle.take('a')).toBeUndefined();
  });
});
