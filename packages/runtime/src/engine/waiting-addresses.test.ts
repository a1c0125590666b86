import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createMailbox, type Mailbox } from './mailbox.js';
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
  const retried: string[] = [];
  const waiting = new WaitingAddresses({ clock, onRetry: (mb) => retried.push(mb.address.id) });
  return { clock, retried, waiting };
}

describe('WaitingAddresses', () => {
  it('lets a retrying address attempt after its delay', () => {
    const { clock, retried, waiting } = setup();
    const a = mailbox('ex/sick', 'a');
    waiting.retryLater(a, 100);
    waiting.retryLater(a, 5); // once
    expect(waiting.isRetrying(a)).toBe(true);
    clock.advance(99);
    expect(retried).toEqual([]);
    clock.advance(1);
    expect(retried).toEqual(['a']);
    expect(waiting.isRetrying(a)).toBe(false);
  });

  it('wakes a few retrying addresses of a type early, and only of that type', () => {
    const { retried, waiting } = setup();
    const sick = ['a', 'b', 'c'].map((id) => mailbox('ex/sick', id));
    for (const mb of sick) waiting.retryLater(mb, 10_000);
    const other = mailbox('ex/other', 'x');
    waiting.retryLater(other, 10_000);
    waiting.wake('ex/sick', 2);
    expect(retried).toEqual(['a', 'b']);
    expect(waiting.isRetrying(sick[2]!)).toBe(true);
    expect(waiting.isRetrying(other)).toBe(true);
  });

  it('stops a wait without attempting, and forgets everything on clear', () => {
    const { clock, retried, waiting } = setup();
    const a = mailbox('ex/sick', 'a');
    waiting.retryLater(a, 10);
    waiting.stopRetrying(a);
    waiting.stopRetrying(a); // once
    expect(waiting.isRetrying(a)).toBe(false);
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
