/**
 * The exactly-once workload of the chaos tests: deposits, transfers between accounts and counter
 * increments, each sent with an idempotency key and retried (against any live runtime) until acknowledged;
 * then every balance, counter and ledger record is checked against what the operations imply.
 */
import { ApiClient } from './api-client.js';
import { BANK_TYPES, type LedgerEntry } from './fixtures/official-bank.js';
import { waitFor } from './wait-for.js';

/** One ingress request of the workload. */
export interface BankOp {
  readonly key: string;
  readonly type: string;
  readonly id: string;
  readonly typename: string;
  readonly body: Record<string, unknown>;
}

/** Shape of a generated workload. */
export interface BankWorkloadOptions {
  readonly seed: number;
  readonly ops: number;
  readonly accounts?: number;
  readonly counters?: number;
}

/** Generates a deterministic workload from a PRNG. */
export function generateBankOps(random: () => number, options: BankWorkloadOptions): BankOp[] {
  const accounts = options.accounts ?? 12;
  const counters = options.counters ?? 5;
  const pick = (n: number): number => Math.floor(random() * n);
  const ops: BankOp[] = [];
  for (let i = 0; i < options.ops; i++) {
    const txId = `tx-${options.seed}-${i}`;
    const r = random();
    if (r < 0.35) {
      ops.push({
        key: txId,
        type: 'bank/account',
        id: `acct-${pick(accounts)}`,
        typename: BANK_TYPES.deposit,
        body: { txId, amount: 1 + pick(100) },
      });
    } else if (r < 0.75) {
      const from = pick(accounts);
      const to = (from + 1 + pick(accounts - 1)) % accounts;
      ops.push({
        key: txId,
        type: 'bank/account',
        id: `acct-${from}`,
        typename: BANK_TYPES.transfer,
        body: { txId, to: `acct-${to}`, amount: 1 + pick(50) },
      });
    } else {
      ops.push({
        key: txId,
        type: 'bank/counter',
        id: `counter-${pick(counters)}`,
        typename: BANK_TYPES.increment,
        body: { txId },
      });
    }
  }
  return ops;
}

const RETRYABLE = /ECONNREFUSED|ECONNRESET|SocketError|other side closed|UND_ERR|EPIPE|timeout/i;

/**
 * Sends every op until a runtime acknowledges it (202), retrying on connection errors and 503, rotating
 * over the URLs `urls()` returns at each attempt.
 *
 * @returns the number of retries needed.
 */
export async function submitBankOps(
  ops: readonly BankOp[],
  urls: () => readonly string[],
  concurrency = 16,
): Promise<number> {
  let next = 0;
  let retries = 0;
  let attempt = 0;
  const submit = async (op: BankOp): Promise<void> => {
    for (;;) {
      const list = urls();
      const url = list[attempt++ % Math.max(1, list.length)];
      if (url !== undefined) {
        try {
          const res = await new ApiClient(url).ingressJson(op.type, op.id, op.typename, op.body, op.key);
          if (res.status === 202) return;
          if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (err) {
          const text = `${String((err as Error)?.message ?? err)} ${String((err as { code?: string }).code ?? '')}`;
          if (!RETRYABLE.test(text)) throw err;
        }
      }
      retries += 1;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops.length) await submit(ops[next++]!);
    }),
  );
  return retries;
}

/** What the ops imply. */
export interface BankExpectation {
  readonly ledger: Map<string, LedgerEntry>;
  readonly balances: Map<string, number>;
  readonly counters: Map<string, number>;
  readonly deposits: number;
}

/** Computes the expected outcome of ops applied exactly once. */
export function expectBank(ops: readonly BankOp[]): BankExpectation {
  const ledger = new Map<string, LedgerEntry>();
  const balances = new Map<string, number>();
  const counters = new Map<string, number>();
  let deposits = 0;
  const add = (acct: string, n: number): void => void balances.set(acct, (balances.get(acct) ?? 0) + n);
  for (const op of ops) {
    const txId = String(op.body['txId']);
    if (op.typename === BANK_TYPES.deposit) {
      const amount = Number(op.body['amount']);
      ledger.set(`${txId}/deposit`, { txId, kind: 'deposit', account: op.id, amount });
      add(op.id, amount);
      deposits += amount;
    } else if (op.typename === BANK_TYPES.transfer) {
      const to = String(op.body['to']);
      const amount = Number(op.body['amount']);
      ledger.set(`${txId}/debit`, { txId, kind: 'debit', account: op.id, amount });
      ledger.set(`${txId}/credit`, { txId, kind: 'credit', account: to, amount });
      add(op.id, -amount);
      add(to, amount);
    } else {
      ledger.set(`${txId}/increment`, { txId, kind: 'increment', account: op.id, amount: 1 });
      counters.set(op.id, (counters.get(op.id) ?? 0) + 1);
    }
  }
  return { ledger, balances, counters, deposits };
}

/** A difference between what happened and what the ops imply; empty when exactly-once held. */
export interface BankCheck {
  readonly problems: string[];
  readonly ledgerRecords: number;
}

/**
 * Waits until the ledger holds at least every expected record, then compares ledger (no duplicates, no
 * gaps in offsets), balances, total money and counters.
 */
export async function checkBank(
  api: ApiClient,
  expected: BankExpectation,
  timeoutMs = 60_000,
): Promise<BankCheck> {
  await waitFor(
    'every ledger record',
    async () => (await api.allEgress(BANK_TYPES.ledger)).length >= expected.ledger.size,
    {
      timeoutMs,
      intervalMs: 100,
    },
  );
  // Give a wrong duplicate a chance to show up.
  await new Promise((r) => setTimeout(r, 500));
  const records = await api.allEgress(BANK_TYPES.ledger);
  const problems: string[] = [];
  const seen = new Map<string, LedgerEntry>();
  records.forEach((r, i) => {
    if (r.offset !== i) problems.push(`ledger offset ${r.offset} at position ${i}`);
    const e = r.json as LedgerEntry;
    const key = `${e.txId}/${e.kind}`;
    if (seen.has(key)) problems.push(`duplicate ledger record ${key}`);
    seen.set(key, e);
  });
  for (const key of expected.ledger.keys()) if (!seen.has(key)) problems.push(`missing ledger record ${key}`);
  for (const key of seen.keys())
    if (!expected.ledger.has(key)) problems.push(`unexpected ledger record ${key}`);
  let total = 0;
  for (const [acct, balance] of expected.balances) {
    const got = Number((await api.state('bank/account', acct)).body.values?.['balance']?.json ?? 0);
    total += got;
    if (got !== balance) problems.push(`balance of ${acct}: ${got}, expected ${balance}`);
  }
  if (total !== expected.deposits)
    problems.push(`money not conserved: ${total}, expected ${expected.deposits}`);
  for (const [counter, count] of expected.counters) {
    const got = Number((await api.state('bank/counter', counter)).body.values?.['count']?.json ?? 0);
    if (got !== count) problems.push(`count of ${counter}: ${got}, expected ${count}`);
  }
  return { problems, ledgerRecords: records.length };
}
