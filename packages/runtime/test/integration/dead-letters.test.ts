/**
 * Dead letters: a function that always fails for one id has its batches dead-lettered after `maxAttempts`
 * (instead of stalling), later messages of that id and every other id proceed, and a replay after the fix
 * delivers each dead letter once, in order, however often it is requested. On SQLite and on PostgreSQL
 * (cluster mode, whose commits and wake-ups differ).
 */
import { egressMessageBuilder, StateFun, type Context, type Message } from 'apache-flink-statefun';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import {
  ApiClient,
  createTempDir,
  metricValue,
  moduleYaml,
  serveHttp,
  startPostgres,
  waitFor,
  type FunctionService,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';

interface Job {
  n: number;
}
interface Done {
  id: string;
  n: number;
  seen: number;
}

const JOB = 'dl/Job';
const OUT = 'dl/out';

/**
 * `dl/worker` (with a dead-letter policy) and `dl/stubborn` (without: it stalls): count their jobs and report each
 * to `dl/out`; throw for every id in `broken`.
 */
function serveWorker(broken: Set<string>): Promise<FunctionService> {
  const JobType = StateFun.jsonType<Job>(JOB);
  const DoneType = StateFun.jsonType<Done>('dl/Done');
  const statefun = new StateFun();
  const fn = (context: Context, message: Message): void => {
    const { n } = message.as(JobType)!;
    if (broken.has(context.self.id)) throw new Error(`job ${n} of ${context.self.id} fails`);
    const storage = context.storage as { seen: number | null };
    storage.seen = (storage.seen ?? 0) + 1;
    context.send(
      egressMessageBuilder({
        typename: OUT,
        value: { id: context.self.id, n, seen: storage.seen },
        valueType: DoneType,
      }),
    );
  };
  for (const typename of ['dl/worker', 'dl/stubborn'])
    statefun.bind({ typename, specs: [{ name: 'seen', type: StateFun.intType() }], fn });
  const handler = statefun.handler();
  return serveHttp((req, res) => void handler(req, res));
}

interface Listed {
  deadLetters: { deadLetterId: number; functionType: string; id: string; batchSize: number }[];
}

describe.each(['sqlite', 'postgres'] as const)('dead letters (%s)', (storeKind) => {
  const cleanups: (() => Promise<void>)[] = [];
  const broken = new Set(['bad']);
  let runtime: Runtime;
  let api: ApiClient;

  beforeAll(async () => {
    const [dir, worker]: [TempDir, FunctionService] = await Promise.all([
      createTempDir(),
      serveWorker(broken),
    ]);
    cleanups.push(
      () => dir.cleanup(),
      () => worker.close(),
    );
    let storeUrl: string | undefined;
    if (storeKind === 'postgres') {
      const pg: TestPostgres = await startPostgres();
      cleanups.push(() => pg.stop());
      storeUrl = await pg.createDatabase();
    }
    const endpoint = moduleYaml({
      // One message per batch: each job of the failing id is dead-lettered on its own.
      endpoints: [
        // Stalls after a second of failures.
        { functions: 'dl/stubborn', urlPathTemplate: `${worker.url}/statefun`, call: '1s' },
        { functions: 'dl/*', urlPathTemplate: `${worker.url}/statefun`, maxNumBatchRequests: 1 },
      ],
      logEgresses: [OUT],
    });
    const policy = [
      'kind: io.statehouse.functions.v1/policy',
      'spec:',
      '  functions: dl/worker',
      '  deadLetters:',
      '    maxAttempts: 3',
    ].join('\n');
    runtime = await createRuntime({
      module: loadModuleFiles([{ path: 'module.yaml', text: `${endpoint}---\n${policy}\n` }]),
      dataDir: dir.path,
      ...(storeUrl === undefined ? {} : { storeUrl, nodeId: 'dl-test', leaseMs: 2_000 }),
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    });
    cleanups.push(() => runtime.close());
    api = new ApiClient(runtime.url);
    await waitFor('ready', async () => (await api.get('/readyz')).status === 200);
  }, 60_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  const outputs = async (): Promise<Done[]> => (await api.allEgress(OUT)).map((r) => r.json as Done);

  it('dead-letters the failing batches, lets everything else proceed, and replays each once', async () => {
    for (const n of [1, 2]) expect((await api.ingressJson('dl/worker', 'bad', JOB, { n })).status).toBe(202);
    for (const id of ['a', 'b'])
      expect((await api.ingressJson('dl/worker', id, JOB, { n: 1 })).status).toBe(202);

    const listed = await waitFor('two dead letters', async () => {
      const res = await api.get<Listed>('/v1/dead-letters');
      return res.body.deadLetters.length === 2 ? res.body.deadLetters : undefined;
    });
    expect(listed.map((d) => [d.functionType, d.id, d.batchSize])).toEqual([
      ['dl/worker', 'bad', 1],
      ['dl/worker', 'bad', 1],
    ]);
    await waitFor('other ids done', async () => (await outputs()).length === 2);
    expect((await outputs()).map((o) => o.id).sort()).toEqual(['a', 'b']);
    // Not stalled: the address went on to its next message.
    expect((await api.get<{ stalled: unknown[] }>('/v1/stalled')).body.stalled).toEqual([]);
    const metrics = (await api.get<string>('/metrics')).body;
    expect(metrics).toMatch(/statehouse_dead_letters_total\{function_type="dl\/worker"\} 2/);

    const [first, second] = listed.map((d) => d.deadLetterId);
    const shown = await api.get<{
      lastError: { code: string; message: string };
      reason: string;
      messages: { type: string; json: unknown }[];
    }>(`/v1/dead-letters/${first}`);
    expect(shown.status).toBe(200);
    expect(shown.body.messages).toEqual([expect.objectContaining({ type: JOB, json: { n: 1 } })]);
    expect(shown.body.lastError.code).toMatch(/^ERR_INVOKE_/);
    expect(shown.body.reason).toContain('after 3 failed attempts');

    broken.clear();
    // The same replay twice at once, and once more: one of them puts the messages back.
    const replays = await Promise.all([
      api.postJson(`/v1/dead-letters/${first}/replay`, {}),
      api.postJson(`/v1/dead-letters/${first}/replay`, {}),
    ]);
    expect(replays.map((r) => r.status).sort()).toEqual([200, 404]);
    expect((await api.postJson(`/v1/dead-letters/${second}/replay`, {})).status).toBe(200);
    const again = await api.postJson<{ error: { code: string } }>(`/v1/dead-letters/${first}/replay`, {});
    expect([again.status, again.body.error.code]).toEqual([404, 'ERR_API_UNKNOWN_DEAD_LETTER']);

    await waitFor('replayed jobs done', async () => (await outputs()).length === 4);
    await waitFor('nothing pending', async () => {
      const m = (await api.get<string>('/metrics')).body;
      return (
        metricValue(m, 'statehouse_inbox_messages') === 0 &&
        metricValue(m, 'statehouse_invocations_in_flight') === 0
      );
    });
    const bad = (await outputs()).filter((o) => o.id === 'bad');
    expect(bad).toEqual([
      { id: 'bad', n: 1, seen: 1 },
      { id: 'bad', n: 2, seen: 2 },
    ]);
    expect((await api.get<Listed>('/v1/dead-letters')).body.deadLetters).toEqual([]);
  });

  it('discards a dead letter without delivering it, and answers 404 for unknown ones', async () => {
    broken.add('gone');
    expect((await api.ingressJson('dl/worker', 'gone', JOB, { n: 9 })).status).toBe(202);
    const [letter] = await waitFor('a dead letter', async () => {
      const res = await api.get<Listed>('/v1/dead-letters');
      return res.body.deadLetters.length === 1 ? res.body.deadLetters : undefined;
    });
    expect((await api.postJson(`/v1/dead-letters/${letter!.deadLetterId}/discard`, {})).status).toBe(200);
    expect((await api.get(`/v1/dead-letters/${letter!.deadLetterId}`)).status).toBe(404);
    expect((await api.postJson(`/v1/dead-letters/${letter!.deadLetterId}/discard`, {})).status).toBe(404);
    expect((await api.get('/v1/dead-letters/abc')).status).toBe(400);
    expect((await outputs()).some((o) => o.id === 'gone')).toBe(false);
  });

  it("moves a stalled address's failing message to the dead letters when an operator asks", async () => {
    broken.add('stuck');
    for (const n of [1, 2])
      expect((await api.ingressJson('dl/stubborn', 'stuck', JOB, { n })).status).toBe(202);
    await waitFor('stalled', async () => {
      const res = await api.get<{ stalled: { functionType: string; id: string }[] }>('/v1/stalled');
      return res.body.stalled.some((s) => s.id === 'stuck');
    });
    const moved = await api.postJson<{ status: string }>('/v1/stalled/dl/stubborn/stuck/dead-letter', {});
    expect(moved.status).toBe(202);
    const letter = await waitFor('the moved message', async () => {
      const res = await api.get<Listed>('/v1/dead-letters');
      return res.body.deadLetters.find((d) => d.functionType === 'dl/stubborn');
    });
    broken.delete('stuck');
    const shown = await api.get<{ reason: string; messages: { json: unknown }[] }>(
      `/v1/dead-letters/${letter.deadLetterId}`,
    );
    expect(shown.body.reason).toContain('moved by an operator');
    expect(shown.body.messages.map((m) => m.json)).toEqual([{ n: 1 }]);
    // The address carries on: its next message is delivered (once the function works), the moved one is not.
    await waitFor('the next message', async () => (await outputs()).some((o) => o.id === 'stuck'), {
      timeoutMs: 30_000,
    });
    expect((await outputs()).filter((o) => o.id === 'stuck')).toEqual([{ id: 'stuck', n: 2, seen: 1 }]);
    const notStalled = await api.postJson<{ error: { code: string } }>(
      '/v1/stalled/dl/stubborn/stuck/dead-letter',
      {},
    );
    expect([notStalled.status, notStalled.body.error.code]).toEqual([404, 'ERR_API_NOT_STALLED']);
  });
});
