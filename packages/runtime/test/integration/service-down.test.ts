/**
 * A function service that is down for 20 s: its messages wait (nothing is lost), its addresses show up as
 * stalled once the call budget is spent, other function types go on meanwhile, and everything resumes
 * exactly once when the service is back.
 */
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import {
  ApiClient,
  BANK_TYPES,
  CART_TYPES,
  createTempDir,
  metricValue,
  moduleYaml,
  serveOfficialBank,
  serveOfficialCart,
  waitFor,
  type FunctionService,
  type LedgerEntry,
  type TempDir,
} from '@statehouse/testkit';

const DOWN_MS = 20_000;

describe('function service down for 20 s', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('loses nothing, stalls visibly, does not hold up other function types, and resumes', async () => {
    const dir: TempDir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let bank: FunctionService = await serveOfficialBank();
    const bankPort = bank.port;
    cleanups.push(() => bank.close());
    const cart = await serveOfficialCart();
    cleanups.push(() => cart.close());
    const runtime: Runtime = await createRuntime({
      module: loadModuleFiles([
        {
          path: 'module.yaml',
          text: moduleYaml({
            endpoints: [
              { functions: 'bank/*', urlPathTemplate: `${bank.url}/statefun`, call: '3s' },
              { functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` },
            ],
            logEgresses: [BANK_TYPES.ledger, CART_TYPES.egress],
          }),
        },
      ]),
      dataDir: dir.path,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
      stalledRetryMaxMs: 1_000,
    });
    cleanups.push(() => runtime.close());
    const api = new ApiClient(runtime.url);

    await bank.close();
    const downSince = Date.now();
    for (let i = 0; i < 30; i++) {
      const res = await api.ingressJson('bank/account', `acct-${i % 3}`, BANK_TYPES.deposit, {
        txId: `d${i}`,
        amount: 10,
      });
      expect(res.status).toBe(202);
    }

    // Other function types go on while the bank is down.
    await api.ingressJson('example/inventory', 'hat', CART_TYPES.restock, { itemId: 'hat', quantity: 5 });
    for (let i = 0; i < 5; i++) {
      await api.ingressJson('example/cart', `u${i}`, CART_TYPES.addToCart, {
        userId: `u${i}`,
        itemId: 'hat',
        quantity: 1,
      });
    }
    await waitFor(
      'cart results while bank is down',
      async () => (await api.allEgress(CART_TYPES.egress)).length === 5,
    );
    expect(Date.now() - downSince).toBeLessThan(DOWN_MS);

    // Once the call budget is spent, the bank's addresses are listed as stalled.
    const stalled = await waitFor('stalled listing', async () => {
      const res = await api.get<{
        stalled: { functionType: string; id: string; attempts: number; lastError: { code: string } }[];
      }>('/v1/stalled');
      return res.body.stalled.length === 3 ? res.body.stalled : undefined;
    });
    expect(stalled.map((s) => s.id).sort()).toEqual(['acct-0', 'acct-1', 'acct-2']);
    expect(stalled.every((s) => s.functionType === 'bank/account' && s.attempts > 1)).toBe(true);
    expect(stalled[0]!.lastError.code).toBe('ERR_INVOKE_TRANSPORT');
    const metrics = await api.get<string>('/metrics');
    expect(metrics.body).toMatch(/statehouse_stalled_addresses\{function_type="bank\/account"\} 3/);
    expect((await api.allEgress(BANK_TYPES.ledger)).length).toBe(0);

    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downSince))));
    bank = await serveOfficialBank(bankPort);

    await waitFor('all deposits applied', async () => (await api.allEgress(BANK_TYPES.ledger)).length >= 30, {
      timeoutMs: 15_000,
    });
    // Exactly once: with no message waiting (in memory or in the store) or in flight, no further ledger entry
    // can appear.
    await waitFor('nothing left to run', async () => {
      const metrics = (await api.get<string>('/metrics')).body;
      const { backlog } = (await api.get<{ backlog: { messages: number }[] }>('/v1/backlog')).body;
      return (
        metricValue(metrics, 'statehouse_inbox_messages') === 0 &&
        metricValue(metrics, 'statehouse_invocations_in_flight') === 0 &&
        backlog.every((b) => b.messages === 0)
      );
    });
    const ledger = (await api.allEgress(BANK_TYPES.ledger)).map((r) => r.json as LedgerEntry);
    expect(ledger.map((e) => e.txId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `d${i}`).sort());
    for (let a = 0; a < 3; a++) {
      expect((await api.state('bank/account', `acct-${a}`)).body.values?.['balance']?.json).toBe(100);
    }
    await waitFor(
      'no longer stalled',
      async () => (await api.get<{ stalled: unknown[] }>('/v1/stalled')).body.stalled.length === 0,
    );
  }, 60_000);
});
