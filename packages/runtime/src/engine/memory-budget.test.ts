import { describe, expect, it } from 'vitest';
import { MemoryBudget } from './memory-budget.js';
import type { PendingMessage } from './pending-message.js';

function message(bytes: number): PendingMessage {
  return {
    source: { kind: 'message', seq: 1 },
    target: { type: 'ex/f', id: 'a' },
    keyGroup: 0,
    caller: undefined,
    argument: { typename: 'ex/v', value: new Uint8Array(bytes) },
  };
}

describe('MemoryBudget', () => {
  it('has room until either limit is reached, and again after removals', () => {
    const budget = new MemoryBudget({ maxMessages: 3, maxBytes: 1_000_000 });
    for (let i = 0; i < 3; i += 1) {
      expect(budget.hasRoom()).toBe(true);
      budget.add(message(10));
    }
    expect(budget.hasRoom()).toBe(false);
    expect(budget.messages).toBe(3);
    expect(budget.messagesLeft).toBe(0);
    budget.remove([message(10)]);
    expect(budget.hasRoom()).toBe(true);
    expect(budget.messagesLeft).toBe(1);
  });

  it('counts argument bytes plus a fixed overhead, and the byte limit alone stops it', () => {
    const budget = new MemoryBudget({ maxMessages: 1_000, maxBytes: 4_000 });
    budget.add(message(1_000));
    expect(budget.bytes).toBeGreaterThan(1_000);
    expect(budget.hasRoom()).toBe(true);
    budget.add(message(1_000));
    expect(budget.hasRoom()).toBe(false);
    expect(budget.messages).toBe(2);
  });

  it('is below its low-water mark under three quarters of both limits', () => {
    const budget = new MemoryBudget({ maxMessages: 4, maxBytes: 1_000_000 });
    budget.add(message(0));
    budget.add(message(0));
    expect(budget.isBelowLowWater()).toBe(true);
    budget.add(message(0));
    expect(budget.isBelowLowWater()).toBe(false);
    budget.clear();
    expect(budget.messages).toBe(0);
    expect(budget.bytes).toBe(0);
    expect(budget.isBelowLowWater()).toBe(true);
  });
});

describe('MemoryBudget shares per function type', () => {
  const of = (type: string, bytes = 0): PendingMessage => ({ ...message(bytes), target: { type, id: 'a' } });

  it('gives one function type at most half of the messages, and the rest to the others', () => {
    const budget = new MemoryBudget({ maxMessages: 8, maxBytes: 1_000_000 });
    for (let i = 0; i < 4; i += 1) {
      expect(budget.hasRoomFor('ex/hang')).toBe(true);
      budget.add(of('ex/hang'));
    }
    expect(budget.hasRoomFor('ex/hang')).toBe(false);
    expect(budget.hasRoomFor('ex/ok')).toBe(true);
    expect(budget.isBelowLowWaterFor('ex/hang')).toBe(false);
    expect(budget.isBelowLowWaterFor('ex/ok')).toBe(true);
    budget.remove([of('ex/hang'), of('ex/hang')]);
    expect(budget.isBelowLowWaterFor('ex/hang')).toBe(true);
    expect(budget.heldBy('ex/hang').messages).toBe(2);
  });

  it('gives one function type at most half of the bytes', () => {
    const budget = new MemoryBudget({ maxMessages: 1_000, maxBytes: 10_000 });
    budget.add(of('ex/big', 3_000)); // 4,024 counted with the overhead
    expect(budget.hasRoomFor('ex/big')).toBe(true);
    budget.add(of('ex/big', 1_000));
    expect(budget.hasRoomFor('ex/big')).toBe(false);
    expect(budget.hasRoomFor('ex/small')).toBe(true);
  });

  it('counts an address waiting to retry as one message of its type', () => {
    const budget = new MemoryBudget({ maxMessages: 4, maxBytes: 1_000_000 });
    budget.addWaiting('ex/sick');
    budget.addWaiting('ex/sick');
    expect(budget.hasRoomFor('ex/sick')).toBe(false);
    expect(budget.messages).toBe(2);
    expect(budget.waits).toBe(2);
    budget.removeWaiting('ex/sick');
    expect(budget.hasRoomFor('ex/sick')).toBe(true);
    budget.removeWaiting('ex/sick');
    expect(budget.messages).toBe(0);
    expect(budget.bytes).toBe(0);
  });
});
