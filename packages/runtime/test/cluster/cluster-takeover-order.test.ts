/**
 * Per-address message order across key-group take-overs under live ingress, with real processes on one
 * PostgreSQL. Many addresses each get numbered messages one after another (the next POST only once the previous
 * one was accepted), each address through one member of three (ingress keeps order only per process, as
 * docs/runtime.md says), while member c is SIGKILLed and restarted with the same node id, a few times (the
 * addresses posted through c wait meanwhile, then go on through its next incarnation). The function is slow, so
 * when c dies its key groups have messages waiting in the store, and more pile up there until a and b take them
 * over while live messages for those addresses keep arriving at a and b; when c is back, it takes its key
 * groups back, again with a backlog and under live ingress. A live message must never overtake an older message
 * of its address still waiting in the store: the function must see every address's numbers exactly once, in
 * increasing order. When the test fails, the output of its processes is kept in
 * `$TMPDIR/statehouse-takeover-order/<process>.log`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHandler, defineFunction, jsonType } from '@statehouse/sdk';
import {
  ApiClient,
  RuntimeProcess,
  assertNothingPending,
  assertSplitAmong,
  createTempDir,
  crashEvidence,
  moduleYaml,
  recentWarnings,
  saveProcessLogs,
  serveHttp,
  startPostgres,
  storeBacklog,
  waitFor,
  type FunctionService,
  type NamedProcess,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';

const LEASE_MS = 2_000;
/**
 * How long a hand-over may take. It takes 1-2 s here; it once took over 10 s in CI (a member held 43 of its 78 key
 * groups: it had likely lost ownership in a heartbeat stall past the 2 s lease and was re-taking them). A failure
 * prints the lease holders and each process's warnings, so the next one shows why.
 */
const TAKEOVER_MS = LEASE_MS + 18_000;
const ADDRESSES = 48;
/** How long the function service holds every call: slow enough that a backlog builds in the store. */
const CALL_DELAY_MS = 6;
/** Few messages per batch, so an address's backlog stays in the store rather than in memory. */
const BATCH = 2;
/** Messages waiting in c's key groups before it is killed. */
const BACKLOG_BEFORE_KILL = 30;
/** How often c is killed and restarted. */
const ROUNDS = 3;
/** How long one message may take to be accepted by its member before the test gives up. */
const ACCEPT_TIMEOUT_MS = 25_000;

const FUNCTION = 'order/recorder';
const EGRESS = 'order/seen';
const Numbered = jsonType<{ n: number }>('order/Numbered');
const Seen = jsonType<{ id: string; n: number }>('order/Seen');

/** Records, per address, each number the function sees, in the order it sees them. */
const recorder = defineFunction({
  type: FUNCTION,
  handle(ctx, message) {
    ctx.egress(EGRESS, Seen, { id: ctx.self.id, n: message.as(Numbered).n });
  },
});

/** The recorder over HTTP, each call held for {@link CALL_DELAY_MS}. */
async function serveSlowRecorder(): Promise<FunctionService> {
  const handler = createNodeHandler([recorder]);
  return serveHttp((req: IncomingMessage, res: ServerResponse) => {
    setTimeout(() => handler(req, res), CALL_DELAY_MS);
  });
}

/**
 * One loop per address posts 1, 2, 3, ... to it, each only after the previous one was accepted, with an
 * idempotency key, always through the address's own member; a connection error or a 503 is retried there (also
 * while that member is down and restarts).
 */
class OrderedPosters {
  /** The last number accepted, per address index. */
  readonly accepted: number[] = new Array<number>(ADDRESSES).fill(0);
  #isStopping = false;
  readonly #loops: Promise<void>[];

  /** @param urlOf - the member that address `index` is posted through. */
  constructor(urlOf: (index: number) => string) {
    this.#loops = Array.from({ length: ADDRESSES }, (_, i) => this.#run(i, urlOf(i)));
    // A loop that gives up fails the test in stop(), not as an unhandled rejection before it.
    for (const loop of this.#loops) loop.catch(() => {});
  }

  /** The number of messages accepted so far. */
  get total(): number {
    return this.accepted.reduce((a, b) => a + b, 0);
  }

  /** Lets each loop finish its current message, then waits for all. @throws what made a loop give up. */
  async stop(): Promise<void> {
    this.#isStopping = true;
    await Promise.all(this.#loops);
  }

  async #run(index: number, url: string): Promise<void> {
    const api = new ApiClient(url);
    while (!this.#isStopping) {
      const n = this.accepted[index]! + 1;
      await this.#post(api, `addr-${index}`, n);
      this.accepted[index] = n;
    }
  }

  async #post(api: ApiClient, id: string, n: number): Promise<void> {
    const deadline = Date.now() + ACCEPT_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      const answer = await api
        .ingressJson(FUNCTION, id, Numbered.typename, { n }, `${id}-${n}`)
        .catch((err: unknown) => ({ status: 0, body: String(err) }));
      if (answer.status === 202) return;
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
      // 0: the connection failed (the same idempotency key makes the retry safe); 503: the member asks to retry.
      if (answer.status !== 0 && answer.status !== 503)
        throw new Error(`message ${n} to ${id} was refused: ${last}`);
      await sleep(20);
    }
    throw new Error(
      `message ${n} to ${id} was not accepted in ${ACCEPT_TIMEOUT_MS} ms; last answer: ${last}`,
    );
  }
}

/**
 * What is wrong with the numbers the function saw per address, given how many were accepted: a number seen
 * twice, not seen, or seen after a larger one.
 */
function orderProblems(seen: ReadonlyMap<string, readonly number[]>, accepted: readonly number[]): string[] {
  const problems: string[] = [];
  accepted.forEach((count, index) => {
    const id = `addr-${index}`;
    const got = seen.get(id) ?? [];
    const inversion = got.findIndex((n, k) => k > 0 && n <= got[k - 1]!);
    const distinct = new Set(got);
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((n) => !distinct.has(n));
    const extra = [...distinct].filter((n) => n < 1 || n > count);
    if (inversion >= 0)
      problems.push(
        `${id}: ${got[inversion]} after ${got[inversion - 1]} (seen ${JSON.stringify(got.slice(Math.max(0, inversion - 4), inversion + 4))} around it)`,
      );
    if (distinct.size !== got.length)
      problems.push(`${id}: ${got.length - distinct.size} numbers seen twice`);
    if (missing.length > 0)
      problems.push(`${id}: ${missing.length} of ${count} never seen, first ${missing[0]}`);
    if (extra.length > 0) problems.push(`${id}: saw ${extra.join(', ')}, never accepted`);
  });
  return problems;
}

/** The numbers the function saw, per address, from the egress it wrote them to. */
async function seenPerAddress(api: ApiClient): Promise<Map<string, number[]>> {
  const seen = new Map<string, number[]>();
  for (const record of await api.allEgress(EGRESS)) {
    const { id, n } = record.json as { id: string; n: number };
    let list = seen.get(id);
    if (list === undefined) seen.set(id, (list = []));
    list.push(n);
  }
  return seen;
}

/** Messages waiting (in the store, for the function type) in the key groups a process owns. */
async function backlogOf(node: RuntimeProcess): Promise<number> {
  const { body } = await new ApiClient(node.url).get<{
    backlog: { functionType: string; messages: number }[];
  }>('/v1/backlog');
  return body.backlog.find((b) => b.functionType === FUNCTION)?.messages ?? 0;
}

describe('per-address order across key-group take-overs', () => {
  let pg: TestPostgres;
  let service: FunctionService;
  let dir: TempDir;
  const processes: NamedProcess[] = [];
  let storeUrl: string | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
    service = await serveSlowRecorder();
    dir = await createTempDir();
  }, 60_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      await saveProcessLogs(join(tmpdir(), 'statehouse-takeover-order'), processes);
      // What a CI log can show: who held the leases at the end, and what the processes warned about.
      const leases = storeUrl === undefined ? [] : (await storeBacklog(storeUrl, processes)).leases;
      console.error(['lease holders:', JSON.stringify(leases), ...recentWarnings(processes)].join('\n'));
    }
    for (const { node } of processes) await node.stop('SIGKILL');
    processes.length = 0;
  });
  afterAll(async () => {
    await service?.close();
    await pg?.stop();
    await dir?.cleanup();
  });

  async function startMember(storeUrl: string, nodeId: string): Promise<RuntimeProcess> {
    const node = new RuntimeProcess({
      dataDir: join(dir.path, nodeId),
      moduleYaml: moduleYaml({
        endpoints: [
          { functions: FUNCTION, urlPathTemplate: `${service.url}/statefun`, maxNumBatchRequests: BATCH },
        ],
        logEgresses: [EGRESS],
      }),
      args: ['--store', storeUrl, '--node-id', nodeId, '--lease-timeout-ms', String(LEASE_MS)],
    });
    processes.push({ name: nodeId, node });
    await node.start();
    return node;
  }

  // Under CPU load this failed in about half of the full-suite runs (an address's newest messages processed before
  // older ones waiting in the store) until a session PostgreSQL ended mid-commit became a retryable error
  // (a reset and reload) instead of a refusal, and frozen peers' sessions stopped blocking take-overs. It then
  // failed in about one run of twenty under heavy load: key groups acquired while the backlog scan flushed
  // before a page were read from the scan's position with the new key groups in the filter, so their addresses'
  // newer messages ran before their older ones (backlog-scanner.ts now holds such rows back; its unit tests
  // make both races happen on purpose). 24 runs of 24 passed after that fix with both cores kept busy.
  it('a live message to an address in a just taken-over key group never overtakes its older messages waiting in the store', async () => {
    const url = (storeUrl = await pg.createDatabase());
    const [a, b, c] = [await startMember(url, 'a'), await startMember(url, 'b'), await startMember(url, 'c')];
    const members = [a, b, c];
    await waitFor('three-way split', () => assertSplitAmong(members), { timeoutMs: 15_000 });
    const posters = new OrderedPosters((index) => members[index % members.length]!.url);
    try {
      // Each round kills c while its key groups have a backlog, lets a and b take them over under live ingress,
      // then restarts c with the same node id (on the same port): its key groups move back to it.
      for (let round = 1; round <= ROUNDS; round++) {
        await waitFor(
          `round ${round}: a backlog in c's key groups`,
          async () => (await backlogOf(c)) >= BACKLOG_BEFORE_KILL,
          {
            timeoutMs: 15_000,
            intervalMs: 50,
          },
        );
        await c.kill();
        await waitFor(`round ${round}: a and b take c's key groups over`, () => assertSplitAmong([a, b]), {
          timeoutMs: TAKEOVER_MS,
          intervalMs: 100,
        });
        await sleep(300);
        await c.start();
        await waitFor(`round ${round}: c gets its key groups back`, () => assertSplitAmong(members), {
          timeoutMs: TAKEOVER_MS,
          intervalMs: 100,
        });
      }
    } catch (err) {
      // What went wrong in the rounds is the failure to report, not what the posters say about it.
      await posters.stop().catch(() => {});
      throw err;
    }
    await posters.stop();
    await waitFor('every accepted message delivered', () => assertNothingPending(url, LEASE_MS), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const seen = await seenPerAddress(new ApiClient(a.url));
    expect(orderProblems(seen, posters.accepted)).toEqual([]);
    expect(posters.total).toBeGreaterThan(ADDRESSES * 20);
    expect(processes.flatMap(crashEvidence)).toEqual([]);
  }, 120_000);
});
