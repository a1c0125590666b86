/**
 * The state cache in front of a real SQLite store: a read that was in flight when its key group was evicted
 * (handed over) or the cache cleared (fenced) is never cached, so a later owner reads what the store has now,
 * not what it had before another process wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyGroupOf, KEY_GROUP_HASH, type FunctionAddress } from '../core/address.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { EMPTY_COMMIT_BATCH } from '../store/store.js';
import { StateCache } from './state-cache.js';

const K = 256;
const X: FunctionAddress = { type: 'test/counter', id: 'x' };

describe('StateCache', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function storeWith(n: number): Promise<SqliteStore> {
    const dir = mkdtempSync(join(tmpdir(), 'state-cache-'));
    const store = new SqliteStore({ path: dir });
    await store.open({ keyGroups: K, hash: KEY_GROUP_HASH });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    await write(store, n);
    return store;
  }

  const write = (store: SqliteStore, n: number) =>
    store.commit({
      ...EMPTY_COMMIT_BATCH,
      stateWrites: [
        {
          keyGroup: keyGroupOf(X, K),
          address: X,
          name: 'n',
          value: { typename: 'test/N', value: Buffer.from(String(n)) },
          expiresAt: undefined,
        },
      ],
    });
  const valueOf = (state: Map<string, { value: Uint8Array }>): string =>
    Buffer.from(state.get('n')!.value).toString();

  it('never caches a read that straddles the eviction of its key group', async () => {
    const store = await storeWith(1);
    const cache = new StateCache({ store }, { maxEntries: 100, keyGroups: K });
    const inFlight = cache.acquire(X);
    cache.evictKeyGroups(new Set([keyGroupOf(X, K)])); // handed over while the read runs
    await write(store, 2); // the new owner writes
    const stale = await inFlight;
    expect(valueOf(stale)).toBe('1'); // the abandoned caller gets what it read…
    cache.release(X, stale);
    expect(valueOf(await cache.acquire(X))).toBe('2'); // …but the cache does not keep it
  });

  it('never caches a read that straddles a clear', async () => {
    const store = await storeWith(1);
    const cache = new StateCache({ store }, { maxEntries: 100, keyGroups: K });
    const inFlight = cache.acquire(X);
    cache.clear();
    await write(store, 2);
    cache.release(X, await inFlight);
    expect(valueOf(await cache.acquire(X))).toBe('2');
    expect(cache.size).toBe(1);
  });

  it('keeps what it read otherwise, and releasing a dropped entry leaves the new one pinned', async () => {
    const store = await storeWith(1);
    const cache = new StateCache({ store }, { maxEntries: 0, keyGroups: K }); // evicts whatever is unpinned
    const first = await cache.acquire(X);
    cache.discard(X);
    const second = await cache.acquire(X);
    cache.release(X, first); // the old pin must not unpin the new entry
    expect(cache.size).toBe(1);
    cache.release(X, second);
    expect(cache.size).toBe(0);
  });
});
