/**
 * Exactly-once under SIGKILL: a bank workload (deposits, transfers, counters), every ingress request retried
 * with its idempotency key until acknowledged, while the runtime child process is killed with SIGKILL at
 * random moments and restarted on the same data directory. Afterwards every counter is exact, money is
 * conserved, and every ledger (egress) record is present exactly once.
 *
 * CI runs a fixed seed. `npm run chaos` runs a longer randomized run (CHAOS_SEED, CHAOS_OPS, CHAOS_KILLS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  RuntimeProcess,
  createTempDir,
  moduleYaml,
  seededRandom,
  serveOfficialBank,
  waitFor,
  type FunctionService,
  type LedgerEntry,
  type TempDir,
} from '@statehouse/testkit';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20261124);
const OPS = Number(process.env['CHAOS_OPS'] ?? 600);
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 4);
const CONCURRENCY = 16;
const ACCOUNTS = 12;
const COUNTERS = 5;

interface Op {
  readonly key: string;
  readonly type: string;
  readonly id: string;
  readonly typename: string;
  readonly body: Record<string, unknown>;
}

function generateOps(random: () => number): Op[] {
  const ops: Op[] = [];
  const pick = (n: number): number => Math.floor(random() * n);
  for (let i = 0; i < OPS; i++) {
    const txId = `tx-${SEED}-${i}`;
    const r = random();
    if (r < 0.35) {
      ops.push({ key: txId, type: 'bank/account', id: `acct-${pick(ACCOUNTS)}`, typename: BANK_TYPES.deposit, body: { txId, amount: 1 + pick(100) } });
    } else if (r < 0.75) {
      const from = pick(ACCOUNTS);
      const to = (from + 1 + pick(ACCOUNTS - 1)) % ACCOUNTS;
      ops.push({ key: txId, type: 'bank/account', id: `acct-${from}`, typename: BANK_TYPES.transfer, body: { txId, to: `acct-${to}`, amount: 1 + pick(50) } });
    } else {
      ops.push({ key: txId, type: 'bank/counter', id: `counter-${pick(COUNTERS)}`, typename: BANK_TYPES.increment, body: { txId } });
    }
  }
  return ops;
}

describe('exactly-once effects across SIGKILL of the runtime', () => {
  let dir: TempDir;
  let service: FunctionService;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    dir = await createTempDir();
    service = await serveOfficialBank();
    runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data`,
      moduleYaml: moduleYaml({
        endpoints: [{ functions: 'bank/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [BANK_TYPES.ledger],
      }),
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await service?.close();
    await dir?.cleanup();
  });

  it(`keeps counters exact, money conserved and egress exactly-once (seed ${SEED}, ${OPS} ops, ${KILLS} kills)`, async () => {
    const random = seededRandom(SEED);
    const ops = generateOps(random);
    const api = new ApiClient(runtime.url);
    let acked = 0;
    let retries = 0;

    const submit = async (op: Op): Promise<void> => {
      for (;;) {
        try {
          const res = await api.ingressJson(op.type, op.id, op.typename, op.body, op.key);
          if (res.status === 202) {
            acked += 1;
            return;
          }
          if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (err) {
          if (!/ECONNREFUSED|ECONNRESET|SocketError|other side closed|UND_ERR/i.test(String((err as Error)?.message ?? err) + String((err as { code?: string }).code))) throw err;
        }
        retries += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    let next = 0;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (next < ops.length) await submit(ops[next++]!);
    });

    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        // Kill at a random moment while requests, invocations and commits are in flight.
        await new Promise((r) => setTimeout(r, 150 + random() * 600));
        await runtime.kill();
        await runtime.start();
      }
    })();

    await Promise.all([...workers, killer]);
    expect(acked).toBe(ops.length);

    // Expected ledger: one record per deposit/increment, a debit and a credit per transfer.
    const expected = new Map<string, LedgerEntry>();
    const balances = new Map<string, number>();
    const counters = new Map<string, number>();
    const add = (acct: string, n: number): void => void balances.set(acct, (balances.get(acct) ?? 0) + n);
    for (const op of ops) {
      const txId = String(op.body['txId']);
      if (op.typename === BANK_TYPES.deposit) {
        expected.set(`${txId}/deposit`, { txId, kind: 'deposit', account: op.id, amount: Number(op.body['amount']) });
        add(op.id, Number(op.body['amount']));
      } else if (op.typename === BANK_TYPES.transfer) {
        const to = String(op.body['to']);
        const amount = Number(op.body['amount']);
        expected.set(`${txId}/debit`, { txId, kind: 'debit', account: op.id, amount });
        expected.set(`${txId}/credit`, { txId, kind: 'credit', account: to, amount });
        add(op.id, -amount);
        add(to, amount);
      } else {
        expected.set(`${txId}/increment`, { txId, kind: 'increment', account: op.id, amount: 1 });
        counters.set(op.id, (counters.get(op.id) ?? 0) + 1);
      }
    }

    const records = await waitFor(
      'every ledger record',
      async () => {
        const all = await api.allEgress(BANK_TYPES.ledger);
        return all.length >= expected.size ? all : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    // Give any (wrong) duplicate a chance to show up before asserting.
    await new Promise((r) => setTimeout(r, 300));
    const final = await api.allEgress(BANK_TYPES.ledger);
    expect(final.length).toBe(records.length);

    const seen = new Map<string, LedgerEntry>();
    for (const r of final) {
      const e = r.json as LedgerEntry;
      const key = `${e.txId}/${e.kind}`;
      expect(seen.has(key), `duplicate ledger record ${key}`).toBe(false);
      seen.set(key, e);
    }
    expect(final.map((r) => r.offset)).toEqual(final.map((_, i) => i));
    expect(seen).toEqual(expected);

    let total = 0;
    for (const [acct, balance] of balances) {
      const state = await api.state('bank/account', acct);
      expect(state.body.values?.['balance']?.json ?? 0, `balance of ${acct}`).toBe(balance);
      total += balance;
    }
    const deposits = ops.filter((o) => o.typename === BANK_TYPES.deposit).reduce((s, o) => s + Number(o.body['amount']), 0);
    expect(total).toBe(deposits);
    for (const [counter, count] of counters) {
      const state = await api.state('bank/counter', counter);
      expect(state.body.values?.['count']?.json, `count of ${counter}`).toBe(count);
    }
    // The run must actually have been disturbed by the kills.
    expect(retries).toBeGreaterThan(0);
  }, 180_000);
});
