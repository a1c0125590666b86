/** pendingFromStored: a stored inbox row becomes a mailbox entry that commits its consumption by seq. */
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../store/store.js';
import { pendingFromStored } from './pending-message.js';

const stored = (caller: StoredMessage['caller']): StoredMessage => ({
  seq: 17,
  keyGroup: 9,
  target: { type: 'shop/cart', id: 'Kim' },
  caller,
  argument: { typename: 'shop/Add', value: new Uint8Array([1, 2]) },
  enqueuedAt: 1_700_000_000_000,
});

describe('pendingFromStored', () => {
  it('keeps target, key group, caller and argument, and points back at the inbox row', () => {
    const m = stored({ type: 'shop/checkout', id: 'c' });
    expect(pendingFromStored(m)).toEqual({
      source: { kind: 'message', seq: 17 },
      target: m.target,
      keyGroup: 9,
      caller: { type: 'shop/checkout', id: 'c' },
      argument: m.argument,
    });
  });

  it('keeps a message without a caller without one', () => {
    expect(pendingFromStored(stored(undefined)).caller).toBeUndefined();
  });
});
