/**
 * A snapshot taken through a running runtime's API while a bank workload (deposits, transfers, counters) runs and
 * delayed messages are pending, then the runtime is killed with SIGKILL and the snapshot restored into a fresh
 * data directory with the CLI. The restored store is the cut (a snapshot of it has the same files, byte for
 * byte), its pending timers fire once, and the runtime goes on from it with exactly-once intact: every operation
 * sent again with its idempotency key counts once (the ones before the cut are recognised, the later ones
 * applied).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  cliFailure,
  cliSuccess,
  RuntimeProcess,
  TIMER_TYPES,
  checkBank,
  createTempDir,
  expectBank,
  generateBankOps,
  moduleYaml,
  seededRandom,
  serveOfficialBank,
  serveOfficialTimers,
  submitBankOps,
  waitFor,
  type Fired,
  type FunctionService,
  type Schedule,
  type TempDir,
} from '@statehouse/testkit';
import type { SnapshotManifest, SnapshotReport } from '@statehouse/runtime';
import { readFile } from 'node:fs/promises';

const SEED = 20261206;

async function cli(...args: string[]): Promise<string> {
  return (await cliSuccess(args)).stdout;
}

async function manifestOf(location: string): Promise<SnapshotManifest> {
  return JSON.parse(await readFile(`${location}/manifest.json`, 'utf8')) as SnapshotManifest;
}

describe('snapshot of a running SQLite runtime, SIGKILL, restore into a fresh data directory', () => {
  let dir: TempDir;
  let bank: FunctionService;
  let timers: FunctionService;
  let module: string;
  const runtimes: RuntimeProcess[] = [];

  beforeAll(async () => {
    dir = await createTempDir();
    bank = await serveOfficialBank();
    timers = await serveOfficialTimers();
    module = moduleYaml({
      endpoints: [
        { functions: 'bank/*', urlPathTemplate: `${bank.url}/statefun` },
        { functions: 'timer/*', urlPathTemplate: `${timers.url}/statefun` },
      ],
      logEgresses: [BANK_TYPES.ledger, TIMER_TYPES.egress],
    });
  });

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    await bank?.close();
    await timers?.close();
    await dir?.cleanup();
  });

  it('restores the cut exactly; timers fire once; the workload continues exactly once', async () => {
    const source = new RuntimeProcess({ dataDir: `${dir.path}/a`, moduleYaml: module });
    runtimes.push(source);
    await source.start();
    const api = new ApiClient(source.url);
    // Delayed messages pending at the cut (taken after some seconds of load, more on a busy machine): due well
    // after the restored runtime starts.
    for (let i = 0; i < 5; i++) {
      const schedule: Schedule = { label: `t${i}`, delayMs: 15_000 + i * 100, sinkId: `s${i}` };
      expect(
        (await api.ingressJson('timer/scheduler', `sched-${i}`, TIMER_TYPES.schedule, schedule)).status,
      ).toBe(202);
    }
    const ops = generateBankOps(seededRandom(SEED), { seed: SEED, ops: 1_500 });
    const load = submitBankOps(ops, () => [source.url], 8);
    // The snapshot is taken while the load runs: once a third of the ledger is out, through the CLI and the API.
    await waitFor('some of the load', async () => (await api.allEgress(BANK_TYPES.ledger)).length > 600, {
      timeoutMs: 60_000,
    });
    const report = JSON.parse(
      await cli('snapshot', 'create', '--url', source.url, '--to', `${dir.path}/snapshots`, '--json'),
    ) as SnapshotReport;
    await load;
    const before = (await api.allEgress(BANK_TYPES.ledger)).length;
    await source.kill();

    // The cut is a moment inside the load: some ledger records, not all.
    expect(report.rows['egress']).toBeGreaterThan(600);
    expect(report.rows['egress']).toBeLessThan(before + 5);
    expect(report.rows['timers']).toBe(5);
    const listed = await cli('snapshot', 'list', '--from', `${dir.path}/snapshots`);
    expect(listed).toContain(report.id);

    const restoredDir = `${dir.path}/b`;
    const restoreOut = await cli('restore', '--from', report.location, '--data-dir', restoredDir);
    expect(restoreOut).toContain(`restored snapshot ${report.id}`);
    // A second restore into the same directory is refused without --force.
    const again = await cliFailure(['restore', '--from', report.location, '--data-dir', restoredDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('ERR_SNAPSHOT_TARGET_NOT_EMPTY');

    // The restored store is the cut: a snapshot of it holds the same rows, file for file.
    const check = JSON.parse(
      await cli('snapshot', 'create', '--data-dir', restoredDir, '--to', `${dir.path}/check`, '--json'),
    ) as SnapshotReport;
    const [cut, restored] = [await manifestOf(report.location), await manifestOf(check.location)];
    expect(restored.files.map((f) => [f.table, f.rows, f.sha256])).toEqual(
      cut.files.map((f) => [f.table, f.rows, f.sha256]),
    );
    expect([restored.maxMessageSeq, restored.maxTimerId]).toEqual([cut.maxMessageSeq, cut.maxTimerId]);

    const continued = new RuntimeProcess({ dataDir: restoredDir, moduleYaml: module });
    runtimes.push(continued);
    await continued.start();
    // Every op again, with its key: the ones in the cut are known, the others are applied once.
    await submitBankOps(ops, () => [continued.url], 8);
    const result = await checkBank(new ApiClient(continued.url), expectBank(ops));
    expect(result.problems).toEqual([]);
    const fired = async () =>
      (await new ApiClient(continued.url).allEgress(TIMER_TYPES.egress)).map((r) => (r.json as Fired).label);
    await waitFor('the pending timers', async () => (await fired()).length >= 5, { timeoutMs: 45_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await fired()).sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
  }, 180_000);
});
