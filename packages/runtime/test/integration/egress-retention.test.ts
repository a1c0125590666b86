/**
 * Egress retention (module.yaml `retention`): a log egress keeps records by age and by count, and a reader
 * below the retained range gets ERR_API_EGRESS_TRIMMED naming the earliest offset, never silently fewer
 * records; a webhook egress deletes records only once they were delivered and the grace period passed.
 * The retention clock is injected, so "a day later" takes no time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '@statehouse/runtime';
import {
  createTempDir,
  metricValue,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
} from '@statehouse/testkit';

const HOUR = 3600 * 1000;

describe('egress retention', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  /** A function `rt/emit` that sends each message it gets to the egress named in its id. */
  async function emitter(): Promise<string> {
    const service = await serveRecording((req) =>
      resultReply({
        outgoingEgresses: req.invocations.map((inv) => ({
          egressNamespace: 'rt',
          egressType: req.id,
          argument: { typename: 'rt/Rec', hasValue: true, value: inv.value },
        })),
      }),
    );
    cleanups.push(() => service.close());
    return service.url;
  }

  async function emit(api: ApiClient, egress: string, values: readonly number[]): Promise<void> {
    for (const v of values) expect((await api.ingressJson('rt/emit', egress, 'rt/V', v)).status).toBe(202);
  }

  it('keeps a log egress by age and by count; a reader below the range is told where it starts', async () => {
    const url = await emitter();
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let skew = 0;
    const moduleText = [
      'kind: io.statefun.endpoints.v2/http',
      'spec:',
      '  functions: rt/*',
      `  urlPathTemplate: ${url}/{function.name}`,
      '---',
      'kind: io.statehouse.egress.v1/log',
      'spec:',
      '  id: rt/aged',
      '  retention: {maxAge: 1h}',
      '---',
      'kind: io.statehouse.egress.v1/log',
      'spec:',
      '  id: rt/counted',
      '  retention: {maxRecords: 3}',
    ].join('\n');
    const { runtime, api } = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: {
        logger: pino({ level: 'silent' }),
        clock: { ...systemClock, now: () => Date.now() + skew },
        maintenanceIntervalMs: 3_600_000, // rounds run only when the test says so
      },
    });

    await emit(api, 'aged', [0, 1, 2]);
    await emit(api, 'counted', [0, 1, 2, 3, 4]);
    await waitFor('records', async () => (await api.allEgress('rt/counted')).length === 5);
    await waitFor('records', async () => (await api.allEgress('rt/aged')).length === 3);
    await runtime.maintainNow();
    // By count: the newest 3 stay.
    expect((await api.egress('rt/counted', 2)).body.records.map((r) => r.json)).toEqual([2, 3, 4]);
    const below = await api.egress('rt/counted', 0);
    expect(below.status).toBe(410);
    expect(below.body).toEqual({
      error: expect.objectContaining({ code: 'ERR_API_EGRESS_TRIMMED', earliestOffset: 2 }) as unknown,
    });
    // By age: nothing is an hour old yet; two hours later the old records are gone, new ones stay.
    expect((await api.egress('rt/aged', 0)).body.records).toHaveLength(3);
    skew = 2 * HOUR;
    await runtime.maintainNow();
    const gone = await api.egress('rt/aged', 0);
    expect(gone.status).toBe(410);
    expect(gone.body).toEqual({
      error: expect.objectContaining({ code: 'ERR_API_EGRESS_TRIMMED', earliestOffset: 3 }) as unknown,
    });
    // New records continue at offset 3.
    skew = 0;
    await emit(api, 'aged', [3, 4]);
    await waitFor('records 3, 4', async () => (await api.egress('rt/aged', 3)).body.records?.length === 2);
    expect((await api.egress('rt/aged', 3)).body.records.map((r) => r.json)).toEqual([3, 4]);

    const metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_egress_retention_deleted_total', { egress: 'rt/counted' })).toBe(
      2,
    );
    expect(metricValue(metrics, 'statehouse_egress_retention_deleted_total', { egress: 'rt/aged' })).toBe(3);
    expect(metricValue(metrics, 'statehouse_egress_retained_records', { egress: 'rt/counted' })).toBe(3);
    expect(metricValue(metrics, 'statehouse_store_bytes')).toBeGreaterThan(0);

    // Offsets continue after a restart, also when retention deleted the records at the head.
    await runtime.close();
    const again = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 3_600_000 },
    });
    await emit(again.api, 'counted', [5]);
    await waitFor(
      'record 5',
      async () => (await again.api.egress('rt/counted', 5)).body.records?.length === 1,
    );
  });

  it('deletes webhook records only once delivered and past the grace period', async () => {
    const url = await emitter();
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let isUp = false;
    const delivered: number[] = [];
    const webhook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!isUp) return void res.writeHead(503).end();
        for (const r of (JSON.parse(body) as { records: { offset: number }[] }).records)
          delivered.push(r.offset);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => webhook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    let skew = 0;
    const { runtime, api } = await startEmbeddedRuntime({
      moduleText: [
        'kind: io.statefun.endpoints.v2/http',
        'spec:',
        '  functions: rt/*',
        `  urlPathTemplate: ${url}/{function.name}`,
        '---',
        'kind: io.statehouse.egress.v1/http',
        'spec:',
        '  id: rt/hook',
        `  url: ${hookUrl}`,
        '  retention: {deliveredGrace: 1 min}',
      ].join('\n'),
      dataDir: dir.path,
      cleanups,
      options: {
        logger: pino({ level: 'silent' }),
        clock: { ...systemClock, now: () => Date.now() + skew },
        maintenanceIntervalMs: 3_600_000,
      },
    });
    const retained = async (): Promise<number> =>
      metricValue((await api.get<string>('/metrics')).body, 'statehouse_egress_retained_records', {
        egress: 'rt/hook',
      }) ?? -1;

    await emit(api, 'hook', [0, 1, 2]);
    await waitFor('records committed', async () => {
      await runtime.maintainNow();
      return (await retained()) === 3;
    });
    // Undelivered: kept, however old.
    skew = 24 * HOUR;
    await runtime.maintainNow();
    expect(await retained()).toBe(3);
    // Delivered, but within the grace period: kept.
    skew = 0;
    isUp = true;
    await waitFor('delivered', () => delivered.length === 3, { timeoutMs: 15_000 });
    await runtime.maintainNow();
    expect(await retained()).toBe(3);
    // Delivered and past the grace period: deleted.
    skew = 2 * 60 * 1000;
    await runtime.maintainNow();
    expect(await retained()).toBe(0);
    expect(delivered).toEqual([0, 1, 2]);
  });
});
