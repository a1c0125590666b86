import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createMailbox, type Mailbox } from './mailbox.js';
import { MemoryBudget } from './memory-budget.js';
import { WaitingAddresses } from './waiting-addresses.js';

function mailbox(type: string, id: string): Mailbox {
  return createMailbox(
    {
      source: { kind: 'message', seq: 1 },
      target: { type, id },
      keyGroup: 0,
      caller: undefined,
      argument: { typename: 'ex/v', value: new Uint8Array(0) },
    },
    10,
  );
}

function setup() {
  const clock = new ManualClock(0);
  const budget = new MemoryBudget({ maxMessages: 8, maxBytes: 1_000_000 });
  const retried: string[] = [];
  const waiting = new WaitingAddresses({ clock, budget, onRetry: (mb) => retried.push(mb.address.id) });
  return { clock, budget, retried, waiting };
}

describe('WaitingAddresses', () => {
  it('lets a retrying address attempt after its delay, counting it as one message of its type meanwhile', () => {
    const { clock, budget, retried, waiting } = setup();
    const a = mailbox('ex/sick', 'a');
    waiting.retryLater(a, 100);
    waiting.retryLater(a, 5); // once
    expect(waiting.isRetrying(a)).toBe(true);
    expect(budget.heldBy('ex/sick').messages).toBe(1);
    clock.advance(99);
    expect(retried).toEqual([]);
    clock.advance(1);
    expect(retried).toEqual(['a']);
    expect(waiting.isRetrying(a)).toBe(false);
    expect(budget.messages).toBe(0);
  });

  it('wakes a few retrying addresses of a type early, and only of that type', () => {
    const { budget, retried, waiting } = setup();
    for (const id of ['a', 'b', 'c']) waiting.retryLater(mailbox('ex/sick', id), 10_000);
    waiting.retryLater(mailbox('ex/other', 'x'), 10_000);
    waiting.wake('ex/sick', 2);
    expect(retried).toEqual(['a', 'b']);
    expect(budget.heldBy('ex/sick').messages).toBe(1);
    expect(budget.heldBy('ex/other').messages).toBe(1);
  });

  it('stops a wait without attempting, and forgets everything on clear', () => {
    const { clock, budget, retried, waiting } = setup();
    const a = mailbox('ex/sick', 'a');
    waiting.retryLater(a, 10);
    waiting.stopRetrying(a);
    waiting.stopRetrying(a); // once
    expect(budget.messages).toBe(0);
    waiting.retryLater(mailbox('ex/sick', 'b'), 10);
    waiting.clear();
    clock.advance(100);
    expect(retried).toEqual([]);
  });

  it('unparks parked addresses per type while that type has room', () => {
    const { waiting } = setup();
    const [h1, h2, o1] = [mailbox('ex/hang', '1'), mailbox('ex/hang', '2'), mailbox('ex/ok', '1')];
    for (const mb of [h1, o1, h2]) waiting.park(mb);
    expect(waiting.isParked(h2)).toBe(true);
    const scheduled: Mailbox[] = [];
    waiting.unparkWhere(
      (type) => type === 'ex/ok',
      (mb) => scheduled.push(mb),
    );
    expect(scheduled).toEqual([o1]);
    expect(waiting.isParked(h1)).toBe(true);
    waiting.unpark(h1);
    waiting.unparkWhere(
      () => true,
      (mb) => scheduled.push(mb),
    );
    expect(scheduled).toEqual([o1, h2]);
  });
});
