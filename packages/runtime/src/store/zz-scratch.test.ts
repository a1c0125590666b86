import { startPostgres } from '@statehouse/testkit';
import { it } from 'vitest';
import { PostgresStore } from './postgres/postgres-store.js';
import { EMPTY_COMMIT_BATCH } from './store.js';
import type { CommitBatch } from './store.js';
it('throughput', async () => {
  const pg = await startPostgres();
  const url = await pg.createDatabase();
  const store = new PostgresStore({ url, max: 8 });
  await store.open({ keyGroups: 256, hash: 'h' });
  let seq = 0;
  const value = new Uint8Array(100).fill(7);
  const make = (prev: number[]): { batch: CommitBatch; seqs: number[] } => {
    const seqs = Array.from({ length: 200 }, () => ++seq);
    return {
      seqs,
      batch: {
        ...EMPTY_COMMIT_BATCH,
        messages: seqs.map((s) => ({ seq: s, keyGroup: s % 256, target: { type: 'ex/cart', id: `u${s % 1000}` }, caller: undefined, argument: { typename: 'ex/T', value }, enqueuedAt: Date.now() })),
        consumedMessages: prev,
        stateWrites: seqs.map((s) => ({ keyGroup: s % 256, address: { type: 'ex/cart', id: `u${s % 1000}` }, name: 'items', value: { typename: 'ex/I', value }, expiresAt: undefined })),
      },
    };
  };
  for (const conc of [1, 8]) {
    const N = 100;
    const t = performance.now();
    await Promise.all(Array.from({ length: conc }, async () => {
      let prev: number[] = [];
      for (let i = 0; i < N / conc; i++) { const { batch, seqs } = make(prev); await store.commit(batch); prev = seqs; }
    }));
    const s = (performance.now() - t) / 1000;
    process.stderr.write(`conc ${conc}: ${(N / s).toFixed(0)} commits/s, ${(N * 200 / s).toFixed(0)} msgs/s\n`);
  }
  for (const conc of [1, 8]) {
    const N = 100;
    const t = performance.now();
    await Promise.all(Array.from({ length: conc }, async () => {
      let prev: number[] = [];
      for (let i = 0; i < N / conc; i++) { const { batch, seqs } = make(prev); await store.commitFenced({ ...batch, egress: [{ egressId: 'e/x', offset: 0, producer: { type: 'a/b', id: 'c' }, value: { typename: 't', value }, createdAt: 1 }] }, { nodeId: 'n', leases: new Map() }); prev = seqs; }
    }));
    const s = (performance.now() - t) / 1000;
    process.stderr.write(`fenced conc ${conc}: ${(N / s).toFixed(0)} commits/s, ${(N * 200 / s).toFixed(0)} msgs/s\n`);
  }
  await store.close();
  await pg.stop();
});
