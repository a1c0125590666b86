import { describe, expect, it } from 'vitest';
import { InvocationSlots } from './invocation-slots.js';

describe('InvocationSlots', () => {
  it('gives at most `limit` slots and queues the rest in arrival order', () => {
    const slots = new InvocationSlots<string>({ limit: 2 });
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
    const slots = new InvocationSlots<string>({ limit: 1 });
    expect(slots.tryTake('a')).toBe(true);
    expect(slots.tryTake('a')).toBe(true);
    expect(slots.inUse).toBe(1);
    expect(slots.release('a')).toBe(true);
    expect(slots.release('a')).toBe(false);
    expect(slots.inUse).toBe(0);
  });

  it('forgets waiting holders by predicate, or all of them', () => {
    const slots = new InvocationSlots<number>({ limit: 1 });
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

describe('InvocationSlots with groups', () => {
  const groupOf = (h: string): string => h.slice(0, 1);

  it('gives one group at most its share, and the others the rest', () => {
    const slots = new InvocationSlots<string>({ limit: 4, groups: { groupOf, groupLimit: 2 } });
    expect(slots.tryTake('h1')).toBe(true);
    expect(slots.tryTake('h2')).toBe(true);
    expect(slots.tryTake('h3')).toBe(false); // the hanging group holds its share
    expect(slots.heldBy('h')).toBe(2);
    expect(slots.tryTake('o1')).toBe(true);
    expect(slots.tryTake('o2')).toBe(true);
    expect(slots.tryTake('o3')).toBe(false); // every slot is taken
    expect(slots.waiting).toBe(2);
    // An `o` slot frees: `h3` may not have it (its group is full), `o3` may.
    slots.release('o1');
    expect(slots.nextWaiting()).toBe('o3');
    expect(slots.tryTake('o3')).toBe(true);
    expect(slots.nextWaiting()).toBeUndefined();
  });

  it('lets a group waiter in first once its group frees a slot', () => {
    const slots = new InvocationSlots<string>({ limit: 3, groups: { groupOf, groupLimit: 2 } });
    slots.tryTake('h1');
    slots.tryTake('h2');
    expect(slots.tryTake('h3')).toBe(false);
    slots.tryTake('o1');
    expect(slots.tryTake('o2')).toBe(false);
    slots.release('h1');
    expect(slots.nextWaiting()).toBe('h3');
    expect(slots.tryTake('h3')).toBe(true);
    slots.release('o1');
    expect(slots.nextWaiting()).toBe('o2');
  });

  it('moves a waiter whose group filled meanwhile to its group queue instead of handing it a slot', () => {
    const slots = new InvocationSlots<string>({ limit: 2, groups: { groupOf, groupLimit: 1 } });
    slots.tryTake('h1');
    slots.tryTake('o1');
    expect(slots.tryTake('h2')).toBe(false); // its group is full
    expect(slots.tryTake('o2')).toBe(false); // its group is full too
    slots.release('h1');
    expect(slots.nextWaiting()).toBe('h2');
    slots.forgetWaiting((h) => h === 'o2');
    expect(slots.waiting).toBe(0);
    slots.clearWaiting();
    expect(slots.nextWaiting()).toBeUndefined();
  });
});
