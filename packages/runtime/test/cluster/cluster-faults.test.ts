/**
 * Faults around node ids and incarnations, with real processes on one PostgreSQL and the official-SDK bank
 * workload: a member SIGKILLed and restarted at once with the same `--node-id` (ten times, under load); two live
 * processes with one node id (the first frozen while its twin starts); a member frozen past its lease. After
 * each: every key group has a live owner, nothing is left pending, every effect happened exactly once, and no
 * process ended on its own or printed an unhandled rejection or an uncaught TypeError. When a test fails, the
 * output of its processes is kept in `$TMPDIR/statehouse-cluster-faults/<test>/<process>.log`.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  CLI_BIN,
  RuntimeProcess,
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
  type BankOp,
  type FunctionService,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';

const LEASE_MS = 3_000;
const KEY_GROUPS = 256;
// "Within the lease timeout plus a few seconds": the lease, a heartbeat interval, and loading the inboxes.
const TAKEOVER_MS = LEASE_MS + 6_000;
const FREEZE_MS = 5_000;
// An unhandled rejection must end the process (and so fail the test) even if an `unhandledRejection` handler is
// installed somewhere.
const STRICT_ENV = {
  NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --unhandled-rejections=strict`.trim(),
};

const execFileAsync = promisify(execFile);

/** `statehouse cluster status --json`, as the CLI prints it. */
interface ClusterStatusJson {
  readonly members: readonly {
    readonly nodeId: string;
    readonly incarnation: string;
    readonly advertise: string;
    readonly live: boolean;
    readonly keyGroups: number;
    readonly pendingMessages: number;
  }[];
  readonly unowned: { readonly keyGroups: number; readonly pendingMessages: number };
}

async function clusterStatus(storeUrl: string): Promise<ClusterStatusJson> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [CLI_BIN, 'cluster', 'status', '--store', storeUrl, '--json', '--lease-timeout-ms', String(LEASE_MS)],
    { encoding: 'utf8', timeout: 20_000 },
  );
  return JSON.parse(stdout) as ClusterStatusJson;
}

async function owned(node: RuntimeProcess): Promise<number> {
  if (!node.isRunning)
    throw new Error(
      `the process of ${node.url} is not running: exits ${JSON.stringify(node.exits)}; stderr ${node.stderr.join('').slice(-1_500)}`,
    );
  const metrics = (await new ApiClient(node.url).get<string>('/metrics')).body;
  const match = /statehouse_cluster_owned_key_groups (\d+)/.exec(metrics);
  if (match === null) throw new Error(`no statehouse_cluster_owned_key_groups on ${node.url}/metrics`);
  return Number(match[1]);
}

/** The one live member of the cluster that is `node` (by its advertised address), as `cluster status` shows it. */
async function memberOf(
  storeUrl: string,
  node: RuntimeProcess,
): Promise<ClusterStatusJson['members'][number]> {
  const status = await clusterStatus(storeUrl);
  const host = new URL(node.url).host;
  const mine = status.members.filter((m) => m.live && new URL(`http://${m.advertise}`).host === host);
  if (mine.length !== 1 || mine[0] === undefined)
    throw new Error(`${mine.length} live members advertise ${host}: ${JSON.stringify(status.members)}`);
  return mine[0];
}

/** Every process in `list` owns key groups, and together they own all of them. */
const balanced = (list: readonly RuntimeProcess[]) => async (): Promise<boolean> => {
  const counts = await Promise.all(list.map(owned));
  if (counts.every((c) => c > 0) && counts.reduce((a, b) => a + b, 0) === KEY_GROUPS) return true;
  throw new Error(`owned key groups per process: ${counts.join(', ')}`);
};

/**
 * Every key group is owned by a live process: the processes' own counts add up to all key groups, and the
 * leases agree (nothing unowned, nothing held by a member that is not live).
 */
const fullyOwned = (storeUrl: string, live: readonly RuntimeProcess[]) => async (): Promise<boolean> => {
  const counts = await Promise.all(live.map(owned));
  const status = await clusterStatus(storeUrl);
  const problems: string[] = [];
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== KEY_GROUPS) problems.push(`live processes own ${counts.join(' + ')} = ${sum} key groups`);
  if (status.unowned.keyGroups !== 0) problems.push(`${status.unowned.keyGroups} key groups unowned`);
  const held = status.members.filter((m) => m.live).reduce((n, m) => n + m.keyGroups, 0);
  if (held !== KEY_GROUPS) problems.push(`live members hold ${held} leases`);
  for (const m of status.members)
    if (!m.live && m.keyGroups > 0) problems.push(`${m.incarnation} is not live but holds ${m.keyGroups}`);
  if (problems.length === 0) return true;
  throw new Error(`${problems.join('; ')}; members ${JSON.stringify(status.members)}`);
};

/** No message waits in any key group. */
const nothingPending = (storeUrl: string) => async (): Promise<boolean> => {
  const status = await clusterStatus(storeUrl);
  const pending = status.members.filter((m) => m.pendingMessages > 0);
  if (pending.length === 0 && status.unowned.pendingMessages === 0) return true;
  throw new Error(
    `pending: ${pending.map((m) => `${m.incarnation}=${m.pendingMessages}`).join(', ')}, unowned=${status.unowned.pendingMessages}`,
  );
};

/**
 * What shows a crash: a run that ended without the test asking, or a report of an unhandled rejection, an
 * uncaught exception or a TypeError anywhere in the output.
 */
function crashEvidence(name: string, node: RuntimeProcess): string[] {
  const out: string[] = [];
  for (const e of node.exits)
    if (!e.requested) out.push(`${name} exited on its own (code ${e.code}, signal ${e.signal})`);
  const bad = /unhandled|uncaught|TypeError/i;
  for (const text of [...node.stderr, ...node.otherOutput])
    if (bad.test(text)) out.push(`${name} printed: ${text.slice(0, 1_500)}`);
  for (const entry of node.logs) {
    const text = JSON.stringify(entry);
    if (bad.test(text) || Number(entry['level']) >= 60) out.push(`${name} logged: ${text.slice(0, 1_500)}`);
  }
  return out;
}

/**
 * A steady bank load: `workers` loops each submit one op at a time (retried on another live process until it
 * is acknowledged, as `submitBankOps` does), with a short pause between ops so the machine keeps up.
 */
class BankLoad {
  readonly #all: BankOp[];
  #taken = 0;
  #acked = 0;
  #stopping = false;
  readonly #done: Promise<void>;

  constructor(
    seed: number,
    urls: () => readonly string[],
    { workers, paceMs }: { workers: number; paceMs: number },
  ) {
    this.#all = generateBankOps(seededRandom(seed), { seed, ops: 20_000 });
    this.#done = Promise.all(
      Array.from({ length: workers }, async () => {
        while (!this.#stopping && this.#taken < this.#all.length) {
          await submitBankOps([this.#all[this.#taken++]!], urls, 1);
          this.#acked += 1;
          await sleep(paceMs);
        }
      }),
    ).then(() => undefined);
    // stop() rethrows; this only keeps a failure from being unhandled before then.
    this.#done.catch(() => undefined);
  }

  /** Waits until `n` more ops are acknowledged. */
  async progress(n: number, what: string): Promise<void> {
    const target = this.#acked + n;
    await Promise.race([
      waitFor(what, () => this.#acked >= target, { timeoutMs: 60_000, intervalMs: 20 }),
      this.#done.then(() => {
        throw new Error(`the load ended before ${what}`);
      }),
    ]);
  }

  /** Stops after the ops in flight are acknowledged. @returns every op submitted. */
  async stop(): Promise<BankOp[]> {
    this.#stopping = true;
    await this.#done;
    return this.#all.slice(0, this.#taken);
  }
}

/** The URLs of the live processes, starting at a different one each call so that single ops spread out. */
function rotatingUrls(live: ReadonlySet<RuntimeProcess>): () => readonly string[] {
  let turn = 0;
  return () => {
    const urls = [...live].map((n) => n.url);
    const k = turn++ % Math.max(1, urls.length);
    return [...urls.slice(k), ...urls.slice(0, k)];
  };
}

describe('cluster faults around node ids and incarnations', () => {
  let pg: TestPostgres;
  let bank: FunctionService;
  let dir: TempDir;
  let nodes: { name: string; node: RuntimeProcess }[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    bank = await serveOfficialBank();
    dir = await createTempDir();
  }, 60_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      const logDir = join(
        tmpdir(),
        'statehouse-cluster-faults',
        ctx.task.name.slice(0, 40).replace(/\W+/g, '-'),
      );
      await mkdir(logDir, { recursive: true });
      for (const { name, node } of nodes) {
        const lines = [...node.logs.map((l) => JSON.stringify(l)), ...node.otherOutput, ...node.stderr];
        await writeFile(join(logDir, `${name}.log`), `${lines.join('\n')}\n`);
      }
    }
    for (const { node } of nodes) {
      node.resume();
      await node.stop('SIGKILL');
    }
    nodes = [];
  });

  afterAll(async () => {
    await bank?.close();
    await pg?.stop();
    await dir?.cleanup();
  });

  async function startNode(storeUrl: string, nodeId: string, name: string): Promise<RuntimeProcess> {
    const node = new RuntimeProcess({
      dataDir: `${dir.path}/${name}`,
      moduleYaml: moduleYaml({
        endpoints: [{ functions: 'bank/*', urlPathTemplate: `${bank.url}/statefun` }],
        logEgresses: [BANK_TYPES.ledger],
      }),
      args: ['--store', storeUrl, '--node-id', nodeId, '--lease-timeout-ms', String(LEASE_MS)],
      env: STRICT_ENV,
    });
    nodes.push({ name, node });
    await node.start();
    // The flag must reach the runtime itself, not only the shell that started it.
    if (process.platform === 'linux')
      expect(await readFile(`/proc/${node.pid}/environ`, 'utf8')).toContain('--unhandled-rejections=strict');
    return node;
  }

  async function startThree(storeUrl: string, tag: string): Promise<RuntimeProcess[]> {
    const list = [];
    for (const id of ['a', 'b', 'c']) list.push(await startNode(storeUrl, id, `${tag}-${id}`));
    await waitFor('three-way split', balanced(list), { timeoutMs: 20_000 });
    return list;
  }

  /** Exactly-once, every process still up, and no crash report from any process. */
  async function expectHealthyEnd(storeUrl: string, reader: RuntimeProcess, ops: BankOp[]): Promise<void> {
    await waitFor('every accepted message delivered', nothingPending(storeUrl), { timeoutMs: 30_000 });
    expect((await checkBank(new ApiClient(reader.url), expectBank(ops), 30_000)).problems).toEqual([]);
    expect(nodes.flatMap(({ name, node }) => crashEvidence(name, node))).toEqual([]);
    expect(nodes.filter(({ node }) => !node.isRunning).map(({ name }) => name)).toEqual([]);
  }

  it('a member SIGKILLed and restarted at once with the same node id, 10 times under load: its key groups get a live owner within the lease, nothing stays pending, exactly-once holds', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = (await startThree(url, 'restart')) as [RuntimeProcess, RuntimeProcess, RuntimeProcess];
    const live = new Set([a, b, c]);
    const ops: BankOp[] = [];
    const incarnations = new Set([(await memberOf(url, a)).incarnation]);
    for (let i = 0; i < 10; i++) {
      const load = new BankLoad(1_000 + i, rotatingUrls(live), { workers: 4, paceMs: 30 });
      await load.progress(40, `iteration ${i}: load before the kill`);
      live.delete(a);
      const killedAt = Date.now();
      await a.kill();
      await a.start();
      live.add(a);
      await load.progress(40, `iteration ${i}: load after the restart`);
      ops.push(...(await load.stop()));
      await waitFor(`iteration ${i}: every key group owned by a live process`, fullyOwned(url, [a, b, c]), {
        timeoutMs: Math.max(1_000, killedAt + TAKEOVER_MS - Date.now()),
        intervalMs: 100,
      });
      const member = await waitFor(
        `iteration ${i}: the restarted process is a new incarnation of node id a that holds key groups`,
        async () => {
          const m = await memberOf(url, a);
          if (m.nodeId !== 'a' || incarnations.has(m.incarnation) || m.keyGroups === 0)
            throw new Error(`it shows as ${JSON.stringify(m)}; earlier: ${[...incarnations].join(', ')}`);
          return m;
        },
        { timeoutMs: 5_000, intervalMs: 100 },
      );
      incarnations.add(member.incarnation);
      await waitFor(`iteration ${i}: every accepted message delivered`, nothingPending(url), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const check = await checkBank(new ApiClient(b.url), expectBank(ops), 30_000);
      expect(check.problems, `iteration ${i}`).toEqual([]);
    }
    await expectHealthyEnd(url, b, ops);
  }, 240_000);

  it('two processes with one node id: the frozen one is fenced on resume, applies nothing stale, stays up and rejoins as a new incarnation', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = (await startThree(url, 'twin')) as [RuntimeProcess, RuntimeProcess, RuntimeProcess];
    const live = new Set([a, b, c]);
    const load = new BankLoad(2_000, rotatingUrls(live), { workers: 6, paceMs: 20 });
    await load.progress(60, 'load before the freeze');
    const frozen = (await memberOf(url, a)).incarnation;
    live.delete(a);
    const pausedAt = Date.now();
    a.pause();
    const twin = await startNode(url, 'a', 'twin-a2');
    live.add(twin);
    await waitFor('the twin holds the key groups of node id a', balanced([twin, b, c]), {
      timeoutMs: Math.max(1_000, pausedAt + TAKEOVER_MS - Date.now()),
    });
    const twinIncarnation = (await memberOf(url, twin)).incarnation;
    expect(twinIncarnation).not.toBe(frozen);
    a.resume();
    live.add(a);
    await load.progress(60, 'load after the resume');
    await waitFor(
      'the resumed process to rejoin as a new, live incarnation of node id a that serves again',
      async () => {
        const m = await memberOf(url, a);
        if (m.nodeId !== 'a' || m.incarnation === frozen || m.incarnation === twinIncarnation)
          throw new Error(`it shows as ${JSON.stringify(m)}; frozen ${frozen}, twin ${twinIncarnation}`);
        const ready = await new ApiClient(a.url).get('/readyz');
        if (ready.status !== 200) throw new Error(`readyz ${ready.status}: ${JSON.stringify(ready.body)}`);
        return true;
      },
      { timeoutMs: TAKEOVER_MS, intervalMs: 100 },
    );
    await load.progress(60, 'load after the rejoin');
    const ops = await load.stop();
    // The resumed process may own nothing: its twin holds what node id a wins.
    await waitFor('every key group owned by a live process', fullyOwned(url, [a, twin, b, c]), {
      timeoutMs: TAKEOVER_MS,
      intervalMs: 100,
    });
    await expectHealthyEnd(url, b, ops);
  }, 120_000);

  it('a member frozen past its lease stays up, rejoins and owns key groups again; exactly-once holds through the freeze', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = (await startThree(url, 'freeze')) as [RuntimeProcess, RuntimeProcess, RuntimeProcess];
    const live = new Set([a, b, c]);
    const load = new BankLoad(3_000, rotatingUrls(live), { workers: 6, paceMs: 20 });
    await load.progress(60, 'load before the freeze');
    const frozen = (await memberOf(url, c)).incarnation;
    live.delete(c);
    const pausedAt = Date.now();
    c.pause();
    await waitFor('a and b take the key groups of the frozen member', balanced([a, b]), {
      timeoutMs: TAKEOVER_MS,
    });
    // Shapes the fault (a freeze of FREEZE_MS); nothing is asserted on it.
    await sleep(Math.max(0, pausedAt + FREEZE_MS - Date.now()));
    c.resume();
    const resumedAt = Date.now();
    live.add(c);
    await waitFor('the resumed member owns key groups again', balanced([a, b, c]), {
      timeoutMs: TAKEOVER_MS,
    });
    const rejoinMs = Date.now() - resumedAt;
    const member = await memberOf(url, c);
    expect(member.incarnation, `rejoined after ${rejoinMs} ms as ${JSON.stringify(member)}`).not.toBe(frozen);
    expect(member.keyGroups).toBeGreaterThan(0);
    await load.progress(60, 'load after the rejoin');
    const ops = await load.stop();
    await waitFor('every key group owned by a live process', fullyOwned(url, [a, b, c]), {
      timeoutMs: TAKEOVER_MS,
      intervalMs: 100,
    });
    await expectHealthyEnd(url, a, ops);
  }, 120_000);
});
