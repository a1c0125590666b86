import { describe, expect, it } from 'vitest';

import { parseRate, TokenBucket } from './token-bucket.js';

describe('parseRate', () => {
  it.each([
    ['100/s', 100],
    ['600/m', 10],
    ['36/h', 0.01],
    ['0.5/s', 0.5],
  ])('reads %s as %d per second', (rate, perSecond) => {
    expect(parseRate(rate)?.perSecond).toBeCloseTo(perSecond);
  });

  it.each(['0/s', '100', '100/d', '-1/s', '1e3/s', ' 5/s', '5 /s', '/s'])('refuses %j', (rate) => {
    expect(parseRate(rate)).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one request per refill, and says how long to wait', () => {
    let now = 1_000;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([undefined, undefined, undefined]);
    expect(bucket.take()).toBe(1);
    now += 499;
    expect(bucket.take()).toBe(1);
    now += 1;
    expect(bucket.take()).toBeUndefined();
    expect(bucket.take()).toBe(1);
  });

  it('never holds more than its burst, and waits whole seconds at slow rates', () => {
    let now = 0;
    const bucket = new TokenBucket(1 / 60, 1, () => now);
    now += 3_600_000;
    expect(bucket.take()).toBeUndefined();
    expect(bucket.take()).toBe(60);
    now += 30_000;
    expect(bucket.take()).toBe(30);
  });

  it('refills nothing when the clock steps back', () => {
    let now = 10_000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take()).toBeUndefined();
    now -= 5_000;
    expect(bucket.take()).toBe(1);
    now += 1_000;
    expect(bucket.take()).toBeUndefined();
  });
});
