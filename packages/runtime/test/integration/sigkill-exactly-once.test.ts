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
  checkBank,
  createTempDir,
  expectBank,
  generateBankOps,
  moduleYaml,
  seededRandom,
  serveOfficialBank,
  submitBankOps,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20261124);
const OPS = Number(process.env['CHAOS_OPS'] ?? 2000);
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 4);

/**
 * Declares the suite. With a small memory budget most messages wait in the store and are paged in, so kills
 * land while addresses page their backlog in and the scanner reads it.
 */
function describeSigkill(title: string, args: readonly string[], opCount: number, kills: number): void {
  describe(title, () => {
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
        args,
      });
      await runtime.start();
    });

    afterAll(async () => {
      await runtime?.stop();
      await service?.close();
      await dir?.cleanup();
    });

    it(`keeps counters exact, money conserved and egress exactly-once (seed ${SEED}, ${opCount} ops, ${kills} kills)`, async () => {
      const random = seededRandom(SEED);
      const ops = generateBankOps(random, { seed: SEED, ops: opCount });
      const killer = (async () => {
        for (let k = 0; k < kills; k++) {
          // Kill at a random moment while requests, invocations and commits are in flight.
          await new Promise((r) => setTimeout(r, 50 + random() * 300));
          await runtime.kill();
          await runtime.start(); // same data directory, same port
        }
      })();
      // While the runtime is down, requests fail with connection errors and are retried with the same key.
      const [retries] = await Promise.all([submitBankOps(ops, () => [runtime.url]), killer]);

      const result = await checkBank(new ApiClient(runtime.url), expectBank(ops));
      expect(result.problems).toEqual([]);
      // The run must actually have been disturbed by the kills.
      expect(retries).toBeGreaterThan(0);
    }, 180_000);
  });
}

describeSigkill('exactly-once effects across SIGKILL of the runtime', [], OPS, KILLS);
describeSigkill(
  'exactly-once effects across SIGKILL with the backlog in the store (20 messages in memory)',
  ['--max-inbox-messages', '20'],
  Math.min(OPS, 1_000),
  3,
);
