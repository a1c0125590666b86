/**
 * The Kinesis ingress in cluster mode: three `statehouse run` processes on one PostgreSQL database read one ingress.
 * Only the leader (the owner of key group 0) reads the shards; its position commits are fenced by that lease. The
 * leader is SIGKILLed while it reads and records keep arriving: another process takes the lead and reads on from
 * the committed positions; then the new leader is frozen (SIGSTOP) past its lease and resumed: a third takes over,
 * and the frozen one cannot commit what it read. Every record is counted exactly once, in order per key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  RuntimeProcess,
  connectorLeader,
  createTempDir,
  serveOfficialBank,
  startKinesalite,
  startPostgres,
  type FunctionService,
  type Kinesalite,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';
import { STREAM, expectCountedInOrder, increments, ledgerOf } from './increments.js';
import { incrementsModule } from './kinesis-rig.js';

const LEASE_MS = 2_000;

describe('Kinesis ingress in cluster mode (PostgreSQL, kinesalite, statehouse run ×3)', () => {
  let pg: TestPostgres;
  let kinesis: Kinesalite;
  let service: FunctionService;
  let dir: TempDir;
  const members: RuntimeProcess[] = [];

  beforeAll(async () => {
    [pg, kinesis, service, dir] = await Promise.all([
      startPostgres(),
      startKinesalite(),
      serveOfficialBank(),
      createTempDir(),
    ]);
    await kinesis.createStream(STREAM, 3);
  }, 120_000);

  afterAll(async () => {
    for (const m of members) await m.stop('SIGKILL');
    await service?.close();
    await kinesis?.stop();
    await pg?.stop();
    await dir?.cleanup();
  });

  function member(storeUrl: string, nodeId: string): RuntimeProcess {
    const node = new RuntimeProcess({
      dataDir: `${dir.path}/${nodeId}`,
      moduleYaml: incrementsModule(service.url, kinesis, STREAM),
      args: ['--store', storeUrl, '--node-id', nodeId, '--lease-timeout-ms', String(LEASE_MS)],
    });
    members.push(node);
    return node;
  }

  it('moves the ingress with the lead: the leader killed and the next one frozen past its lease mid-stream, every record counted once, in order', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = [member(url, 'a'), member(url, 'b'), member(url, 'c')];
    await Promise.all([a.start(), b.start(), c.start()]);
    // Records keep arriving (about 1,500/s) through every fault.
    const total = 15_000;
    const feeding = (async () => {
      for (let from = 0; from < total; from += 300) {
        await kinesis.put(STREAM, increments(from, 300));
        await sleep(200);
      }
    })();

    const first = await connectorLeader([a, b, c]);
    await ledgerOf(new ApiClient(first.url), 2_000);
    await first.kill();
    const live = [a, b, c].filter((m) => m !== first);
    const second = await connectorLeader(live);

    await ledgerOf(new ApiClient(second.url), 6_000);
    second.pause();
    const third = await connectorLeader(live.filter((m) => m !== second));
    second.resume();
    await ledgerOf(new ApiClient(third.url), 9_000);

    await feeding;
    await expectCountedInOrder(new ApiClient(third.url), total);
    expect(second.isRunning).toBe(true);
    expect(live).toContain(await connectorLeader(live));
  }, 240_000);
});
