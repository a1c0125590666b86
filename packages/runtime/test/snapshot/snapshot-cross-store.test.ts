/**
 * Snapshots restored into the other store kind. A bank workload's first half runs on a single SQLite runtime; its
 * snapshot is restored into an empty PostgreSQL database and a 3-process cluster goes on from it; the reverse
 * goes from a PostgreSQL cluster (snapshot taken with `--store` while it runs) into a fresh data directory. Each
 * time every op is sent again with its idempotency key and the outcome is exact: ops in the cut are recognised,
 * the others applied once. The restored store holds the cut: a snapshot of it has the same rows, file for file.
 * A restore into a PostgreSQL database a runtime is running on is refused, as is one into a database that holds
 * data, unless `--force`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  RuntimeProcess,
  assertSplitAmong,
  checkBank,
  createTempDir,
  expectBank,
  generateBankOps,
  moduleYaml,
  seededRandom,
  serveOfficialBank,
  startPostgres,
  submitBankOps,
  waitFor,
  type FunctionService,
  type TempDir,
  type TestPostgres,
  cliFailure,
  cliSuccess,
} from '@statehouse/testkit';
import type { SnapshotManifest, SnapshotReport } from '@statehouse/runtime';

const LEASE_MS = 3_000;
const KEY_GROUPS = 256;

/** Runs the CLI; it must succeed. */
async function cli(...args: string[]): Promise<string> {
  return (await cliSuccess(args)).stdout;
}

/** Runs the CLI; it must fail. @returns its exit code and stderr. */
function cliFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  return cliFailure(args);
}

async function snapshot(...source: string[]): Promise<SnapshotReport> {
  return JSON.parse(await cli('snapshot', 'create', ...source, '--json')) as SnapshotReport;
}

async function manifestOf(location: string): Promise<SnapshotManifest> {
  return JSON.parse(await readFile(`${location}/manifest.json`, 'utf8')) as SnapshotManifest;
}

/** The files of two snapshots hold the same rows (same SHA-256), table by table; and the same id marks. */
async function expectSameCut(a: string, b: string): Promise<void> {
  const [cut, restored] = [await manifestOf(a), await manifestOf(b)];
  expect(restored.files.map((f) => [f.table, f.rows, f.sha256])).toEqual(
    cut.files.map((f) => [f.table, f.rows, f.sha256]),
  );
  expect([restored.keyGroups, restored.hash]).toEqual([cut.keyGroups, cut.hash]);
  expect(restored.maxMessageSeq).toBeGreaterThanOrEqual(cut.maxMessageSeq);
  expect(restored.maxTimerId).toBeGreaterThanOrEqual(cut.maxTimerId);
}

describe('snapshots restored across store kinds (SQLite ⇄ PostgreSQL)', () => {
  let dir: TempDir;
  let pg: TestPostgres;
  let bank: FunctionService;
  let module: string;
  let processes: RuntimeProcess[] = [];

  beforeAll(async () => {
    [pg, bank, dir] = await Promise.all([startPostgres(), serveOfficialBank(), createTempDir()]);
    module = moduleYaml({
      endpoints: [{ functions: 'bank/*', urlPathTemplate: `${bank.url}/statefun` }],
      logEgresses: [BANK_TYPES.ledger],
    });
  }, 60_000);

  afterEach(async () => {
    for (const p of processes) await p.kill();
    processes = [];
  });

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await bank?.close();
    await pg?.stop();
    await dir?.cleanup();
  });

  /** A runtime on its own data dir (SQLite), or a cluster member on `store` with node id `nodeId`. */
  const startRuntime = async (name: string, cluster?: { store: string; nodeId: string }) => {
    const node = new RuntimeProcess({
      dataDir: join(dir.path, name),
      moduleYaml: module,
      args:
        cluster === undefined
          ? []
          : ['--store', cluster.store, '--node-id', cluster.nodeId, '--lease-timeout-ms', String(LEASE_MS)],
    });
    processes.push(node);
    await node.start();
    return node;
  };

  it('SQLite → PostgreSQL: a 3-process cluster goes on from the cut, exactly once', async () => {
    const ops = generateBankOps(seededRandom(31), { seed: 31, ops: 1_200 });
    const half = ops.slice(0, ops.length / 2);
    const source = await startRuntime('sqlite-source');
    await submitBankOps(half, () => [source.url], 8);
    // Taken at once: the last ops acknowledged are still waiting in the inbox.
    const report = await snapshot('--url', source.url, '--to', join(dir.path, 'snapshots-a'));
    await source.kill();
    expect(report.storeKind).toBe('sqlite');
    expect(report.rows['ingress_keys']).toBe(half.length);

    const store = await pg.createDatabase();
    const restored = await cli('restore', '--from', report.location, '--store', store);
    expect(restored).toContain(`restored snapshot ${report.id}`);
    expect(restored).not.toContain(':statehouse@'); // the password is not printed
    // The database holds the cut, file for file, whatever store kind it came from.
    const check = await snapshot('--store', store, '--to', join(dir.path, 'check-a'));
    expect(check.storeKind).toBe('postgres');
    await expectSameCut(report.location, check.location);

    const nodes = [
      await startRuntime('a', { store, nodeId: 'n1' }),
      await startRuntime('b', { store, nodeId: 'n2' }),
      await startRuntime('c', { store, nodeId: 'n3' }),
    ];
    await waitFor('three-way split', () => assertSplitAmong(nodes, KEY_GROUPS), { timeoutMs: 20_000 });
    await submitBankOps(ops, () => nodes.map((n) => n.url), 12);
    const result = await checkBank(new ApiClient(nodes[0]!.url), expectBank(ops));
    expect(result.problems).toEqual([]);
    expect(result.ledgerRecords).toBe(expectBank(ops).ledger.size);
  }, 90_000);

  it('PostgreSQL → SQLite: snapshot of a running cluster by --store, restored into a data directory', async () => {
    const ops = generateBankOps(seededRandom(37), { seed: 37, ops: 1_200 });
    const half = ops.slice(0, ops.length / 2);
    const store = await pg.createDatabase();
    const member = await startRuntime('pg-source', { store, nodeId: 'n1' });
    const api = new ApiClient(member.url);
    const load = submitBankOps(half, () => [member.url], 8);
    // The cut is taken straight from the database, while the member goes on committing.
    await waitFor('some of the load', async () => (await api.allEgress(BANK_TYPES.ledger)).length > 200, {
      timeoutMs: 30_000,
    });
    const report = await snapshot('--store', store, '--to', join(dir.path, 'snapshots-b'));
    await load;
    expect(await member.stop('SIGTERM')).toBe(0);
    expect(report.storeKind).toBe('postgres');
    expect(report.rows['egress']).toBeGreaterThan(200);

    const dataDir = join(dir.path, 'sqlite-restored');
    const restored = await cli('restore', '--from', report.location, '--data-dir', dataDir);
    expect(restored).toContain(`restored snapshot ${report.id}`);
    const check = await snapshot('--data-dir', dataDir, '--to', join(dir.path, 'check-b'));
    expect(check.storeKind).toBe('sqlite');
    await expectSameCut(report.location, check.location);

    const continued = new RuntimeProcess({ dataDir, moduleYaml: module });
    processes.push(continued);
    await continued.start();
    await submitBankOps(ops, () => [continued.url], 8);
    const result = await checkBank(new ApiClient(continued.url), expectBank(ops));
    expect(result.problems).toEqual([]);
  }, 90_000);

  it('a PostgreSQL target in use is refused; a non-empty one needs --force', async () => {
    const ops = generateBankOps(seededRandom(41), { seed: 41, ops: 120 });
    const store = await pg.createDatabase();
    const member = await startRuntime('in-use', { store, nodeId: 'n1' });
    await submitBankOps(ops.slice(0, 60), () => [member.url], 8);
    const report = await snapshot('--store', store, '--to', join(dir.path, 'snapshots-c'));
    await submitBankOps(ops.slice(60), () => [member.url], 8);
    await checkBank(new ApiClient(member.url), expectBank(ops));

    // A runtime heartbeats in it: refused, even with --force, and nothing changes.
    for (const force of [[], ['--force']]) {
      const inUse = await cliFails('restore', '--from', report.location, '--store', store, ...force);
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain('ERR_SNAPSHOT_TARGET_IN_USE');
      expect(inUse.stderr).not.toContain(':statehouse@');
    }
    expect((await checkBank(new ApiClient(member.url), expectBank(ops), 5_000)).problems).toEqual([]);
    // Stopped (it leaves the membership): the database still holds data.
    expect(await member.stop('SIGTERM')).toBe(0);
    const notEmpty = await cliFails('restore', '--from', report.location, '--store', store);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('ERR_SNAPSHOT_TARGET_NOT_EMPTY');

    // With --force the database is replaced by the cut: the ops after it count once when sent again.
    const forced = await cli('restore', '--from', report.location, '--store', store, '--force');
    expect(forced).toContain(`restored snapshot ${report.id}`);
    const check = await snapshot('--store', store, '--to', join(dir.path, 'check-c'));
    await expectSameCut(report.location, check.location);
    const again = await startRuntime('in-use-again', { store, nodeId: 'n1' });
    await submitBankOps(ops, () => [again.url], 8);
    expect((await checkBank(new ApiClient(again.url), expectBank(ops))).problems).toEqual([]);
  }, 60_000);
});
