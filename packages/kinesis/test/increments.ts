/**
 * The Kinesis ingress tests' workload: increments (`{"txId": "tx-<n>"}`, partition key `counter-<n mod KEYS>`) put
 * to a stream and counted by the official SDK's bank counter, which writes each txId to its ledger (a log egress).
 */
import { expect } from 'vitest';
import { BANK_TYPES, waitFor, type ApiClient, type LedgerEntry } from '@statehouse/testkit';

/** The stream of the increments. */
export const STREAM = 'increments';
/** The counters the increments spread over (`counter-<n>`). */
export const KEYS = 20;

/** Increments `tx-<first + i>` for key `counter-<n mod KEYS>`. */
export function increments(first: number, count: number): { key: string; data: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `counter-${(first + i) % KEYS}`,
    data: JSON.stringify({ txId: `tx-${first + i}` }),
  }));
}

/** Waits until the ledger holds `expected` entries; returns them in ledger order. */
export async function ledgerOf(api: ApiClient, expected: number): Promise<LedgerEntry[]> {
  let entries: LedgerEntry[] = [];
  await waitFor(
    `${expected} ledger records`,
    async () => {
      entries = (await api.allEgress(BANK_TYPES.ledger)).map((r) => r.json as LedgerEntry);
      return entries.length >= expected;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return entries;
}

/** Every increment once, each counter its share, each counter's increments in the order they were put. */
export async function expectCountedInOrder(api: ApiClient, total: number): Promise<void> {
  const entries = await ledgerOf(api, total);
  const txIds = entries.map((e) => e.txId);
  expect(txIds.length).toBe(total);
  expect(new Set(txIds).size).toBe(total);
  const lastOf = new Map<string, number>();
  for (const e of entries) {
    const n = Number(e.txId.slice('tx-'.length));
    expect(n % KEYS, `${e.txId} reached ${e.account}`).toBe(Number(e.account.slice('counter-'.length)));
    expect(n, `${e.txId} after tx-${lastOf.get(e.account)} at ${e.account}`).toBeGreaterThan(
      lastOf.get(e.account) ?? -1,
    );
    lastOf.set(e.account, n);
  }
  for (let k = 0; k < KEYS; k++) {
    const state = await api.state('bank/counter', `counter-${k}`);
    expect(state.body.values?.['count']?.json).toBe(total / KEYS);
  }
}
