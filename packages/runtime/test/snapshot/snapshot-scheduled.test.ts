/**
 * Scheduled snapshots (`run --snapshot-every --snapshot-to --snapshot-keep`): taken on time while the runtime
 * serves, the oldest deleted beyond `keep`, metered; a location that fails is retried and never stops processing
 * nor changes readiness; a bad option is refused at start with the flag named.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  CLI_BIN,
  RuntimeProcess,
  createTempDir,
  metricValue,
  moduleYaml,
  serveOfficialBank,
  waitFor,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';
import { listSnapshots } from '@statehouse/runtime';

const run = promisify(execFile);

describe('scheduled snapshots', () => {
  let dir: TempDir;
  let bank: FunctionService;
  let module: string;
  const runtimes: RuntimeProcess[] = [];

  beforeAll(async () => {
    dir = await createTempDir();
    bank = await serveOfficialBank();
    module = moduleYaml({
      endpoints: [{ functions: 'bank/*', urlPathTemplate: `${bank.url}/statefun` }],
      logEgresses: [BANK_TYPES.ledger],
    });
  });

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    await bank?.close();
    await dir?.cleanup();
  });

  async function metrics(url: string): Promise<string> {
    return (await fetch(`${url}/metrics`)).text();
  }

  it('takes them on schedule while serving, keeps the newest N, and meters them', async () => {
    const to = `${dir.path}/scheduled`;
    // Other things at the location (here even the runtime's own data directory) are not snapshots: never deleted.
    const others = ['.git', '0archive', '2025-important-backups'];
    for (const other of others) await mkdir(`${to}/${other}`, { recursive: true });
    const runtime = new RuntimeProcess({
      dataDir: `${to}/.statehouse`,
      moduleYaml: module,
      args: ['--snapshot-every', '1s', '--snapshot-to', to, '--snapshot-keep', '2'],
    });
    runtimes.push(runtime);
    await runtime.start();
    const api = new ApiClient(runtime.url);
    let deposits = 0;
    await waitFor(
      'four scheduled snapshots',
      async () => {
        const txId = `d${deposits++}`;
        expect(
          (await api.ingressJson('bank/account', 'a', BANK_TYPES.deposit, { txId, amount: 1 }, txId)).status,
        ).toBe(202);
        return (
          (metricValue(await metrics(runtime.url), 'statehouse_snapshots_total', { outcome: 'success' }) ??
            0) >= 4
        );
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const text = await metrics(runtime.url);
    expect(metricValue(text, 'statehouse_snapshot_last_size_bytes')).toBeGreaterThan(0);
    expect(metricValue(text, 'statehouse_snapshot_last_success_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 30,
    );
    // Pruning runs after each success: at most `keep` complete snapshots, plus one being written.
    const listed = await listSnapshots(to);
    const complete = listed.filter((l) => l.status === 'complete');
    expect(complete.length).toBeGreaterThanOrEqual(2);
    expect(complete.length).toBeLessThanOrEqual(3);
    for (const other of [...others, '.statehouse']) expect(existsSync(`${to}/${other}`), other).toBe(true);
    // The newest holds state the load wrote after the runtime started.
    expect(complete.at(-1)!.manifest!.files.find((f) => f.table === 'state')!.rows).toBeGreaterThan(0);
  }, 60_000);

  it('retries a failing location without stopping processing or changing readiness', async () => {
    const blocked = `${dir.path}/not-a-directory`;
    await writeFile(blocked, 'a file where the snapshots would go');
    const runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data-failing`,
      moduleYaml: module,
      args: ['--snapshot-every', '1s', '--snapshot-to', `${blocked}/snapshots`],
    });
    runtimes.push(runtime);
    await runtime.start();
    await waitFor(
      'a failed scheduled snapshot',
      async () =>
        (metricValue(await metrics(runtime.url), 'statehouse_snapshots_total', { outcome: 'failure' }) ??
          0) >= 1,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect((await fetch(`${runtime.url}/readyz`)).status).toBe(200);
    const api = new ApiClient(runtime.url);
    expect(
      (await api.ingressJson('bank/account', 'b', BANK_TYPES.deposit, { txId: 'x1', amount: 5 }, 'x1'))
        .status,
    ).toBe(202);
    await waitFor(
      'the deposit',
      async () => (await api.state('bank/account', 'b')).body.values?.['balance']?.json === 5,
      {
        timeoutMs: 10_000,
      },
    );
    const failure = runtime.logs.find((l) => String(l['msg']).startsWith('scheduled snapshot failed'));
    expect(JSON.stringify(failure?.['err'])).toContain('ERR_SNAPSHOT_BLOB_FAILED');
  }, 60_000);

  it('refuses half a schedule or a bad interval at start, naming the flag', async () => {
    const modulePath = `${dir.path}/module.yaml`;
    await writeFile(modulePath, module);
    const start = (...args: string[]) =>
      run(process.execPath, [CLI_BIN, 'run', modulePath, '--data-dir', `${dir.path}/never`, ...args]).catch(
        (e: { code: number; stderr: string }) => e,
      );
    const missingTo = (await start('--snapshot-every', '15m')) as { code: number; stderr: string };
    expect(missingTo.code).toBe(2);
    expect(missingTo.stderr).toContain('--snapshot-to');
    const badEvery = (await start('--snapshot-every', 'often', '--snapshot-to', dir.path)) as {
      code: number;
      stderr: string;
    };
    expect(badEvery.code).toBe(2);
    expect(badEvery.stderr).toContain('--snapshot-every');
  }, 30_000);
});
