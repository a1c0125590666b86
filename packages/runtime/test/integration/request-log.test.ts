/** Request ids: echoed on every answer, carried by the log lines of the request (docs/runtime.md, Logging). */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import { createTempDir, moduleYaml, waitFor } from '@statehouse/testkit';

describe('request ids', () => {
  const lines: Record<string, unknown>[] = [];
  let runtime: Runtime;
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('echoes a caller id, makes one otherwise, and logs each request with it at debug level', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    runtime = await createRuntime({
      module: loadModuleFiles([
        {
          path: 'module.yaml',
          text: moduleYaml({
            endpoints: [{ functions: 'example/*', urlPathTemplate: 'http://127.0.0.1:9/f' }],
          }),
        },
      ]),
      dataDir: dir.path,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'debug' }, sink),
      collectProcessMetrics: false,
    });
    cleanups.push(() => runtime.close());

    const given = await request(`${runtime.url}/v1/nowhere?x=1`, {
      headers: { 'x-request-id': 'trace-42:a/b' },
    });
    await given.body.dump();
    expect(given.statusCode).toBe(404);
    expect(given.headers['x-request-id']).toBe('trace-42:a/b');

    const made = await request(`${runtime.url}/healthz`, { headers: { 'x-request-id': 'has space' } });
    await made.body.dump();
    const madeId = String(made.headers['x-request-id']);
    expect(madeId).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/u);

    const next = await request(`${runtime.url}/healthz`);
    await next.body.dump();
    expect(next.headers['x-request-id']).not.toBe(madeId);

    await waitFor(
      'three request lines',
      () => lines.filter((l) => l['msg'] === 'request served').length >= 3,
    );
    const served = lines.filter((l) => l['msg'] === 'request served');
    expect(served[0]).toMatchObject({
      requestId: 'trace-42:a/b',
      method: 'GET',
      path: '/v1/nowhere',
      status: 404,
    });
    expect(served[1]).toMatchObject({ requestId: madeId, path: '/healthz', status: 200 });
  });
});
