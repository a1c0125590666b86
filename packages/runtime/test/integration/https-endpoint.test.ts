/**
 * An `https` endpoint with a private CA and mutual TLS: the runtime trusts only the CA named by
 * `transport.trust_cacerts` and presents `client_cert`/`client_key`; without them the call fails.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles } from '@statehouse/runtime';
import { createNodeHandler, defineFunction, IntType, valueSpec } from '@statehouse/sdk';
import { ApiClient, createTempDir, createTestCa, waitFor } from '@statehouse/testkit';

describe('https endpoints with a private CA and mutual TLS', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('calls the function over TLS with the configured CA and client certificate', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const d = dir.path;
    const ca = createTestCa(d);
    ca.issue('server');
    ca.issue('client', { client: true });
    const counter = defineFunction({
      type: 'tls/counter',
      state: { n: valueSpec(IntType) },
      handle(ctx) {
        ctx.state.n = (ctx.state.n ?? 0) + 1;
      },
    });
    const server = createServer(
      {
        key: readFileSync(join(d, 'server.key')),
        cert: readFileSync(join(d, 'server.pem')),
        ca: readFileSync(join(d, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
      },
      createNodeHandler([counter]),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const module = (withClientCert: boolean) =>
      loadModuleFiles([
        {
          path: 'module.yaml',
          text: [
            'kind: io.statefun.endpoints.v2/http',
            'spec:',
            '  functions: tls/*',
            `  urlPathTemplate: https://127.0.0.1:${port}/statefun`,
            '  transport:',
            '    call: 2s',
            `    trust_cacerts: ${join(d, 'ca.pem')}`,
            ...(withClientCert
              ? [`    client_cert: ${join(d, 'client.pem')}`, `    client_key: ${join(d, 'client.key')}`]
              : []),
          ].join('\n'),
        },
      ]);
    const runtime = await createRuntime({
      module: module(true),
      dataDir: join(d, 'data'),
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    });
    cleanups.push(() => runtime.close());
    const api = new ApiClient(runtime.url);
    expect((await api.ingress('tls/counter', 'a', { typename: 'tls/Tick', bytes: '{}' })).status).toBe(202);
    await waitFor(
      'state over TLS',
      async () => (await api.state('tls/counter', 'a')).body.values?.['n']?.json === 1,
    );

    // Without the client certificate the server refuses the TLS handshake: the address stalls, nothing applied.
    const noCert = await createRuntime({
      module: module(false),
      dataDir: join(d, 'data2'),
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    });
    cleanups.push(() => noCert.close());
    const api2 = new ApiClient(noCert.url);
    await api2.ingress('tls/counter', 'b', { typename: 'tls/Tick', bytes: '{}' });
    await waitFor(
      'stalled without a client certificate',
      async () => (await api2.get<{ stalled: unknown[] }>('/v1/stalled')).body.stalled.length === 1,
      { timeoutMs: 10_000 },
    );
    expect((await api2.state('tls/counter', 'b')).status).toBe(404);
  });
});
