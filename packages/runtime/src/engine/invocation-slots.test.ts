import { describe, expect, it } from 'vitest';
import { InvocationSlots } from './invocation-slots.js';

describe('InvocationSlots', () => {
  it('gives at most `limit` slots and queues the rest in arrival order', () => {
    const slots = new InvocationSlots<string>(2);
    expect(slots.tryTake('a')).toBe(true);
    expect(slots.tryTake('b')).toBe(true);
    expect(slots.tryTake('c')).toBe(false);
    expect(slots.tryTake('d')).toBe(false);
    expect(slots.tryTake('c')).toBe(false); // queued once
    expect(slots.inUse).toBe(2);
    expect(slots.waiting).toBe(2);
    expect(slots.nextWaiting()).toBeUndefined(); // no slot free
    expect(slots.release('a')).toBe(true);
    expect(slots.nextWaiting()).toBe('c');
    expect(slots.tryTake('c')).toBe(true);
    expect(slots.nextWaiting()).toBeUndefined();
    expect(slots.release('b')).toBe(true);
    expect(slots.nextWaiting()).toBe('d');
    expect(slots.nextWaiting()).toBeUndefined(); // nobody else waits
  });

  it('counts a holder once and releases only what is held', () => {
    const slots = new InvocationSlots<string>(1);
    expect(slots.tryTake('a')).toBe(true);
    expect(slots.tryTake('a')).toBe(true);
    expect(slots.inUse).toBe(1);
    expect(slots.release('a')).toBe(true);
    expect(slots.release('a')).toBe(false);
    expect(slots.inUse).toBe(0);
  });

  it('forgets waiting holders by predicate, or all of them', () => {
    const slots = new InvocationSlots<number>(1);
    slots.tryTake(0);
    for (const n of [1, 2, 3, 4]) slots.tryTake(n);
    slots.forgetWaiting((n) => n % 2 === 0);
    slots.release(0);
    expect(slots.nextWaiting()).toBe(1);
    slots.clearWaiting();
    expect(slots.waiting).toBe(0);
    expect(slots.nextWaiting()).toBe(undefined);
  });
});
