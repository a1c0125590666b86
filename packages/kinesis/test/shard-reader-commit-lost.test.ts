/**
 * A commit whose answer is lost (PostgreSQL committed, the connection dropped before it said so): the shard reader
 * must go on from the position the store holds, not re-read the batch from the position it had before, which would
 * put the batch into state twice. Against kinesalite, with an ingest that commits (into a list, as the store
 * would) and then fails once as a lost connection does.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestBatch } from '@statehouse/runtime';
import { startKinesalite, waitFor, type Kinesalite } from '@statehouse/testkit';
import { parsePosition, TRIM_HORIZON, type ShardPosition } from '../src/shard-position.js';
import { ShardReader } from '../src/shard-reader.js';

describe('ShardReader after a commit whose answer was lost', () => {
  let kinesis: Kinesalite;

  beforeAll(async () => {
    kinesis = await startKinesalite();
    await kinesis.createStream('s', 1);
  });

  afterAll(async () => {
    await kinesis?.stop();
  });

  it('goes on from the position the store holds, so no record is ingested twice', async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, data: String(i) }));
    await kinesis.put('s', records.slice(0, 10));
    const [shard] = await kinesis.listShards('s');
    const committed: string[] = [];
    let storedPosition: ShardPosition = TRIM_HORIZON;
    let answersLost = 0;
    let stopping = false;
    const reader = new ShardReader(
      {
        client: kinesis.client,
        log: pino({ level: 'silent' }),
        ingest: (batch: IngestBatch) => {
          // The store commits the batch and its position...
          committed.push(...batch.messages.map((m) => Buffer.from(m.argument.value).toString()));
          storedPosition = parsePosition(batch.positions[0]!.position);
          // ...but the first answer is lost with the connection.
          if (answersLost === 0 && batch.messages.length > 0) {
            answersLost += 1;
            return Promise.reject(new Error('write CONNECTION_CLOSED'));
          }
          return Promise.resolve();
        },
        committedPosition: () => Promise.resolve(storedPosition),
        admits: () => true,
        idProblem: () => undefined,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
        isStopping: () => stopping,
        onBatch: () => undefined,
        onError: () => undefined,
      },
      {
        connector: 'c/in',
        route: { stream: 's', valueType: 'c/V', targets: ['c/f'] },
        shardId: shard!.ShardId!,
        position: TRIM_HORIZON,
        limit: 10_000,
        intervalMs: 20,
      },
    );
    const running = reader.run();
    await waitFor('the first 10 committed', () => committed.length >= 10, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    await kinesis.put('s', records.slice(10));
    await waitFor('all 30 committed', () => committed.length >= 30, { timeoutMs: 10_000, intervalMs: 10 });
    stopping = true;
    await running;
    expect(answersLost).toBe(1);
    expect(committed).toEqual(records.map((r) => r.data));
  });
});
