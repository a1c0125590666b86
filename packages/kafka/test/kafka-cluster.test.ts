/**
 * The Kafka ingress in cluster mode: three `statehouse run` processes on one PostgreSQL database read one ingress.
 * Only the leader (the owner of key group 0) consumes; its position commits are fenced by that lease. The leader
 * is SIGKILLed while it consumes and a fourth process joins while records keep arriving: another process takes the
 * lead, reads on from the committed positions; then the new leader is frozen (SIGSTOP) past its lease and resumed:
 * a third takes over and the frozen one cannot commit what it read. Every record is counted exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  RuntimeProcess,
  connectorLeader,
  createTempDir,
  serveOfficialBank,
  startMockKafka,
  startPostgres,
  type FunctionService,
  type MockKafka,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import {
  PARTITIONS,
  TOPIC,
  expectCountedExactlyOnce,
  incrementsModule,
  ledgerOf,
  produceIncrements,
} from './increments.js';

const LEASE_MS = 2_000;

describe('Kafka ingress in cluster mode (PostgreSQL, mock cluster, statehouse run ×4)', () => {
  let pg: TestPostgres;
  let kafka: MockKafka;
  let service: FunctionService;
  let dir: TempDir;
  let producer: Producer;
  const members: RuntimeProcess[] = [];

  beforeAll(async () => {
    [pg, kafka, service, dir] = await Promise.all([
      startPostgres(),
      startMockKafka({ brokers: 3, topics: [{ name: TOPIC, partitions: PARTITIONS }] }),
      serveOfficialBank(),
      createTempDir(),
    ]);
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    for (const m of members) await m.stop('SIGKILL');
    await producer?.disconnect();
    await service?.close();
    await kafka?.stop();
    await pg?.stop();
    await dir?.cleanup();
  });

  function member(storeUrl: string, nodeId: string): RuntimeProcess {
    const node = new RuntimeProcess({
      dataDir: `${dir.path}/${nodeId}`,
      moduleYaml: incrementsModule(service.url, kafka.brokers, TOPIC),
      args: ['--store', storeUrl, '--node-id', nodeId, '--lease-timeout-ms', String(LEASE_MS)],
    });
    members.push(node);
    return node;
  }

  it('moves the ingress with the lead: the leader killed, a member added and the next leader frozen past its lease mid-stream, every record counted once', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = [member(url, 'a'), member(url, 'b'), member(url, 'c')];
    await Promise.all([a.start(), b.start(), c.start()]);
    // Records keep arriving (about 1,500/s) through every fault.
    const total = 30_000;
    const feeding = (async () => {
      for (let from = 0; from < total; from += 300) {
        await produceIncrements(producer, from, 300);
        await sleep(200);
      }
    })();

    const first = await connectorLeader([a, b, c]);
    await ledgerOf(new ApiClient(first.url), 3_000);
    await first.kill();
    const d = member(url, 'd');
    await d.start();
    const live = [...[a, b, c].filter((m) => m !== first), d];
    const second = await connectorLeader(live);
    expect(second).not.toBe(first);

    // The next leader freezes past its lease while it consumes: another one takes over, and when the frozen one
    // resumes it cannot commit positions or messages for what it read before (its commits are fenced).
    await ledgerOf(new ApiClient(second.url), 12_000);
    second.pause();
    const others = live.filter((m) => m !== second);
    const third = await connectorLeader(others);
    second.resume();
    await ledgerOf(new ApiClient(third.url), 16_000);

    await feeding;
    const api = new ApiClient(third.url);
    await expectCountedExactlyOnce(api, total);
    // The frozen leader is alive and back in the cluster, and one member reads (it may be the lead again: key
    // group 0 goes back to its rendezvous owner).
    expect(second.isRunning).toBe(true);
    expect(live).toContain(await connectorLeader(live));
  }, 240_000);
});
