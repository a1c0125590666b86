/**
 * The mailbox memory with its real budget and scanner over an inbox stand-in: per-address order when the scan
 * passes messages of a function type that is short of room.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import type { StoredMessage } from '../store/store.js';
import { MailboxMemory } from './mailbox-memory.js';

const log = pino({ level: 'silent' });

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('MailboxMemory', () => {
  it('never takes a newer message of an address whose older one the scan passed for lack of room', async () => {
    // seq → [function type, id]. Type ex/t holds its share (4 of 8 messages) when seq 5 (address A) is read.
    const rows = new Map<number, [string, string]>([
      [1, ['ex/t', 'X1']],
      [2, ['ex/t', 'X2']],
      [3, ['ex/t', 'X3']],
      [4, ['ex/t', 'X4']],
      [5, ['ex/t', 'A']],
      [6, ['ex/u', 'Z']],
      [7, ['ex/t', 'A']], // A's next message, in the next page
    ]);
    const stored = (seq: number): StoredMessage => ({
      seq,
      keyGroup: 0,
      target: { type: rows.get(seq)![0], id: rows.get(seq)![1] },
      caller: undefined,
      argument: { typename: 'ex/v', value: new Uint8Array(0) },
      enqueuedAt: seq,
    });
    let flushes = 0;
    const memory: MailboxMemory = new MailboxMemory(
      {
        log,
        clock: systemClock,
        committer: {
          flush: () => {
            // Before the second page is read, X1's batch is done: its type is below its share again, but not
            // below its low-water mark (so the scan does not read the type again yet).
            if (++flushes === 2) {
              const x1 = [...memory.mailboxes.values()].find((mb) => mb.address.id === 'X1')!;
              const batch = x1.pending;
              x1.pending = [];
              memory.tracker.consumed(batch.map((m) => m.source.seq));
              rows.delete(1);
              memory.consumed(batch);
            }
            return Promise.resolve();
          },
        },
        resolver: { resolve: () => undefined },
        inbox: {
          page: (after, limit) =>
            Promise.resolve(
              [...rows.keys()]
                .filter((s) => s > after)
                .sort((a, b) => a - b)
                .slice(0, limit)
                .map(stored),
            ),
          ofAddress: () => Promise.resolve([]),
        },
        schedule: () => undefined,
        isAccepting: () => true,
        isActive: () => true,
      },
      { memory: { maxMessages: 8, maxBytes: 1e9 }, windowMessages: 10, pageMessages: 6 },
    );
    memory.scanner.rescan();
    await settle();
    const a = [...memory.mailboxes.values()].find((mb) => mb.address.id === 'A');
    // Message 5 of A is still in the store, unread: A must not hold 7 before it.
    expect(a?.pending.map((m) => m.source.seq) ?? []).toEqual([]);
    expect(memory.scanner.isBehindFor('ex/t')).toBe(true);
  });
});
