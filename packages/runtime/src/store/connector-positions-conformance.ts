/**
 * Conformance of the connector positions every {@link Store} keeps (where an ingress connector resumes reading,
 * committed with the messages it produced), run by `describeStoreConformance`. It imports vitest, so only test
 * files may import it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { FunctionAddress } from '../core/address.js';
import { StoreError } from '../errors.js';
import { EMPTY_COMMIT_BATCH } from './store.js';
import type { CommitBatch, ConnectorPosition, Store, StoredMessage } from './store.js';
import type { StoreConformanceContext } from './conformance.js';

const META = { keyGroups: 16, hash: 'murmur3_x86_32(utf8("namespace/name/id"))' } as const;
const GREETER: FunctionAddress = { type: 'example/greeter', id: 'Kim' };
const NAMES = 'com.example/names';
const SHARDS = 'com.example/shards';
/** A Kinesis sequence number: far beyond a safe integer, so it travels as text. */
const SEQUENCE_NUMBER = '49590338271490256608559692538361571095921575989136588898';

const batch = (parts: Partial<CommitBatch>): CommitBatch => ({ ...EMPTY_COMMIT_BATCH, ...parts });

function message(seq: number): StoredMessage {
  return {
    seq,
    keyGroup: 1,
    target: GREETER,
    caller: undefined,
    argument: { typename: 'example/Name', value: Uint8Array.of(seq % 256) },
    enqueuedAt: 1_000 + seq,
  };
}

function position(connector: string, part: string, at: string, source = 'names'): ConnectorPosition {
  return { connector, source, part, position: at };
}

/** A connector's positions by source and part: the interface does not fix their order. */
async function positionsOf(store: Store, connector: string): Promise<ConnectorPosition[]> {
  const key = (p: ConnectorPosition): string => `${p.source}\u0000${p.part}`;
  return [...(await store.loadConnectorPositions(connector))].sort((a, b) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
  );
}

const seqs = (messages: readonly StoredMessage[]): number[] => messages.map((m) => m.seq);

/** Declares the connector position conformance tests (see `describeStoreConformance`). */
export function describeConnectorPositionConformance(
  name: string,
  createStore: () => Promise<StoreConformanceContext>,
): void {
  describe(`Store conformance: ${name}: connector positions`, () => {
    let ctx: StoreConformanceContext;
    let store: Store;
    beforeEach(async () => {
      ctx = await createStore();
      store = ctx.store;
      await store.open(META);
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('commit with the inbox messages of the same batch', async () => {
      await store.commit(
        batch({
          ingress: [{ message: message(1), idempotencyKey: undefined }],
          messages: [message(2)],
          positions: [position(NAMES, '0', '11'), position(NAMES, '1', '5')],
        }),
      );
      expect(seqs(await store.loadMessages())).toEqual([1, 2]);
      expect(await positionsOf(store, NAMES)).toEqual([
        position(NAMES, '0', '11'),
        position(NAMES, '1', '5'),
      ]);
    });

    it("replace a part's position, the last of a batch winning, and leave other parts and connectors alone", async () => {
      await store.commit(
        batch({
          positions: [
            position(NAMES, '0', '11'),
            position(NAMES, '1', '5'),
            position(NAMES, '0', '3', 'other-topic'),
            position(SHARDS, 'shardId-000000000000', '1'),
          ],
        }),
      );
      await store.commit(
        batch({
          positions: [
            position(NAMES, '0', '20'),
            position(NAMES, '0', '21'),
            position(SHARDS, 'shardId-000000000000', SEQUENCE_NUMBER),
          ],
        }),
      );
      expect(await positionsOf(store, NAMES)).toEqual([
        position(NAMES, '0', '21'),
        position(NAMES, '1', '5'),
        position(NAMES, '0', '3', 'other-topic'),
      ]);
      expect(await positionsOf(store, SHARDS)).toEqual([
        position(SHARDS, 'shardId-000000000000', SEQUENCE_NUMBER),
      ]);
    });

    it('are empty for a connector that never committed one', async () => {
      await store.commit(batch({ positions: [position(NAMES, '0', '11')] }));
      expect(await store.loadConnectorPositions('com.example/unknown')).toEqual([]);
    });

    it('apply nothing of a commit that fails, neither the messages nor the positions', async () => {
      await store.commit(batch({ messages: [message(1)], positions: [position(NAMES, '0', '2')] }));
      const failing = batch({
        messages: [message(2), message(1)],
        positions: [position(NAMES, '0', '4'), position(NAMES, '1', '1')],
      });
      const err: unknown = await store.commit(failing).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('ERR_STORE_CONSTRAINT');
      expect(seqs(await store.loadMessages())).toEqual([1]);
      expect(await positionsOf(store, NAMES)).toEqual([position(NAMES, '0', '2')]);
      await store.commit(batch({ ...failing, messages: [message(2)] }));
      expect(seqs(await store.loadMessages())).toEqual([1, 2]);
      expect(await positionsOf(store, NAMES)).toEqual([position(NAMES, '0', '4'), position(NAMES, '1', '1')]);
    });

    it('survive close and reopen', async () => {
      await store.commit(batch({ messages: [message(1)], positions: [position(NAMES, '0', '11')] }));
      await store.close();
      store = await ctx.reopen();
      await store.open(META);
      expect(seqs(await store.loadMessages())).toEqual([1]);
      expect(await positionsOf(store, NAMES)).toEqual([position(NAMES, '0', '11')]);
    });
  });
}
