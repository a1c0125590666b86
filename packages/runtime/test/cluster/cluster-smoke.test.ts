/** Two in-process runtimes on one PostgreSQL database share the key groups and route messages. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, keyGroupOf, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import {
  ApiClient,
  BANK_TYPES,
  moduleYaml,
  serveOfficialBank,
  startPostgres,
  waitFor,
  type FunctionService,
  type LedgerEntry,
  type TestPostgres,
} from '@statehouse/testkit';

describe('cluster mode, two in-process runtimes', () => {
  let pg: TestPostgres;
  let service: FunctionService;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    service = await serveOfficialBank();
  }, 60_000);

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    await service?.close();
    await pg?.stop();
  });

  it('splits key groups, routes messages between processes, and serves reads anywhere', async () => {
    const url = await pg.createDatabase();
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text: moduleYaml({
          endpoints: [{ functions: 'bank/*', urlPathTemplate: `${service.url}/statefun` }],
          logEgresses: [BANK_TYPES.ledger],
        }),
      },
    ]);
    for (const nodeId of ['a', 'b']) {
      runtimes.push(
        await createRuntime({
          module,
          storeUrl: url,
          nodeId,
          listen: '127.0.0.1:0',
          leaseMs: 3_000,
          logger: pino({ level: 'warn' }),
          collectProcessMetrics: false,
        }),
      );
    }
    const [a, b] = runtimes.map((r) => new ApiClient(r.url)) as [ApiClient, ApiClient];
    // Both members own part of the 256 key groups once they see each other.
    await waitFor(
      'balanced ownership',
      async () => {
        const owned = await Promise.all(
          [a, b].map(async (api) =>
            Number(
              /statehouse_cluster_owned_key_groups (\d+)/.exec((await api.get<string>('/metrics')).body)?.[1],
            ),
          ),
        );
        return owned[0]! > 0 && owned[1]! > 0 && owned[0]! + owned[1]! === 256;
      },
      { timeoutMs: 15_000 },
    );

    for (let i = 0; i < 40; i++) {
      const api = i % 2 === 0 ? a : b;
      const res = await api.ingressJson(
        'bank/account',
        `acct-${i % 8}`,
        BANK_TYPES.deposit,
        { txId: `d${i}`, amount: 5 },
        `d${i}`,
      );
      expect(res.status).toBe(202);
    }
    for (let i = 0; i < 20; i++) {
      const res = await a.ingressJson(
        'bank/account',
        `acct-${i % 8}`,
        BANK_TYPES.transfer,
        { txId: `t${i}`, to: `acct-${(i + 3) % 8}`, amount: 1 },
        `t${i}`,
      );
      expect(res.status).toBe(202);
    }
    const ledger = await waitFor(
      'ledger',
      async () => {
        const all = await b.allEgress(BANK_TYPES.ledger);
        return all.length >= 80 ? all : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(ledger).toHaveLength(80);
    expect(ledger.map((r) => r.offset)).toEqual(ledger.map((_, i) => i));
    const keys = new Set(
      ledger.map((r) => `${(r.json as LedgerEntry).txId}/${(r.json as LedgerEntry).kind}`),
    );
    expect(keys.size).toBe(80);
    let total = 0;
    for (let i = 0; i < 8; i++)
      total += Number((await a.state('bank/account', `acct-${i}`)).body.values?.['balance']?.json ?? 0);
    expect(total).toBe(200);

    // A long poll on b wakes as soon as a commits a record (egress announcements cross processes).
    const { default: postgres } = await import('postgres');
    const sql = postgres(url, { max: 1 });
    let ownedByA: string | undefined;
    for (let i = 0; ownedByA === undefined && i < 100; i++) {
      const id = `poll-${i}`;
      const kg = keyGroupOf({ type: 'bank/account', id }, 256);
      const rows = await sql<{ owner: string }[]>`SELECT owner FROM leases WHERE key_group = ${kg}`;
      if (rows[0]?.owner?.startsWith('a#') === true) ownedByA = id;
    }
    await sql.end();
    if (ownedByA === undefined) throw new Error('no account in a key group owned by a');
    const started = Date.now();
    let isAnswered = false;
    const poll = b
      .get<{ records: unknown[] }>(`/v1/egress/${BANK_TYPES.ledger}?from=80&wait=10000`)
      .finally(() => (isAnswered = true));
    // The poll waits on b before a commits: a long poll sent after it, that gives up at once, was answered
    // (empty) while the first one was not.
    const probe = await b.get<{ records: unknown[] }>(`/v1/egress/${BANK_TYPES.ledger}?from=80&wait=1`);
    expect(probe.body.records).toHaveLength(0);
    expect(isAnswered).toBe(false);
    await a.ingressJson('bank/account', ownedByA, BANK_TYPES.deposit, { txId: 'poll', amount: 1 });
    const answer = await poll;
    expect(answer.body.records).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 90_000);
});
