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
