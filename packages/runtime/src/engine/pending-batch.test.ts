/** PendingBatch: connector positions of several submissions merge into one batch, the later one of a part winning. */
import { describe, expect, it } from 'vitest';

import type { ConnectorPosition, StoredMessage } from '../store/store.js';
import type { EffectSet } from './effect-set.js';
import { PendingBatch } from './pending-batch.js';

const NAMES = 'com.example/names';
const waiter = { resolve: (): void => undefined, reject: (): void => undefined };

function position(part: string, at: string, connector = NAMES): ConnectorPosition {
  return { connector, source: 'names', part, position: at };
}

function message(seq: number): StoredMessage {
  return {
    seq,
    keyGroup: 1,
    target: { type: 'example/greeter', id: 'Kim' },
    caller: undefined,
    argument: { typename: 'example/Name', value: Uint8Array.of(seq) },
    enqueuedAt: 1_000,
  };
}

function effects(parts: Partial<EffectSet>): EffectSet {
  return {
    consumedMessages: [],
    firedTimers: [],
    messages: [],
    timerOps: [],
    stateWrites: [],
    egress: [],
    fenceKeyGroups: [],
    ...parts,
  };
}

function batchOf(...sets: EffectSet[]): PendingBatch {
  const batch = new PendingBatch();
  for (const set of sets) batch.add({ kind: 'effects', effects: set, waiter });
  return batch;
}

describe('PendingBatch connector positions', () => {
  it('emits the positions of every part with their messages, and counts them as rows', () => {
    const batch = batchOf(
      effects({ messages: [message(1)], positions: [position('0', '11')] }),
      effects({
        messages: [message(2)],
        positions: [position('1', '5'), position('0', '3', 'com.example/other')],
      }),
    );
    const commit = batch.toCommitBatch();
    expect(commit.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(commit.positions).toEqual([
      position('0', '11'),
      position('1', '5'),
      position('0', '3', 'com.example/other'),
    ]);
    expect(batch.rows).toBe(5);
  });

  it('keeps the later submission of the same connector, source and part', () => {
    const batch = batchOf(
      effects({ positions: [position('0', '11'), position('1', '5')] }),
      effects({ positions: [position('0', '12')] }),
    );
    expect(batch.toCommitBatch().positions).toEqual([position('0', '12'), position('1', '5')]);
    expect(batch.rows).toBe(2);
  });

  it('emits none when no submission has positions', () => {
    const batch = batchOf(effects({ messages: [message(1)] }));
    expect(batch.toCommitBatch().positions).toEqual([]);
    expect(batch.rows).toBe(1);
  });
});
