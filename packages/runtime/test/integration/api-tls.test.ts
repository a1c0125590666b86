/**
 * TLS on the API listener (`--tls-cert`, `--tls-key`, `--tls-client-ca`), with a private CA made by the test with
 * openssl: HTTPS only; a renewed certificate is served after SIGHUP while a load runs, with no failed request;
 * mutual TLS refuses a client without a certificate of the CA.
 */
import { connect } from 'node:tls';
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CART_TYPES,
  RuntimeProcess,
  createTempDir,
  createTestCa,
  moduleYaml,
  serveOfficialCart,
  waitFor,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';

/** The serial number of the certificate a new connection to `port` is served. */
function servedSerial(port: number, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ...client }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('TLS on the API', () => {
  let dir: TempDir;
  let cart: FunctionService;
  let ca: Buffer;
  const runtimes: RuntimeProcess[] = [];

  beforeAll(async () => {
    dir = await createTempDir();
    cart = await serveOfficialCart();
    const authority = createTestCa(dir.path);
    authority.issue('server', { serial: '0x1001' });
    authority.issue('renewed', { serial: '0x2002' });
    authority.issue('client', { client: true });
    ca = await readFile(`${dir.path}/ca.pem`);
  }, 60_000);

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    await cart?.close();
    await dir?.cleanup();
  });

  function start(...args: string[]): Promise<RuntimeProcess> {
    const runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data-${runtimes.length}`,
      moduleYaml: moduleYaml({
        endpoints: [{ functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` }],
        logEgresses: [CART_TYPES.egress],
      }),
      args: ['--tls-cert', `${dir.path}/live.pem`, '--tls-key', `${dir.path}/live.key`, ...args],
    });
    runtimes.push(runtime);
    return runtime.start().then(() => runtime);
  }

  it('serves HTTPS only, and the renewed certificate after SIGHUP with no failed request under load', async () => {
    await writeFile(`${dir.path}/live.pem`, await readFile(`${dir.path}/server.pem`));
    await writeFile(`${dir.path}/live.key`, await readFile(`${dir.path}/server.key`));
    const runtime = await start();
    expect(runtime.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/u);
    const port = Number(new URL(runtime.url).port);
    const trusting = new Agent({ connect: { ca } });
    expect((await request(`${runtime.url}/readyz`, { dispatcher: trusting })).statusCode).toBe(200);
    await expect(request(`http://127.0.0.1:${port}/readyz`, { headersTimeout: 2_000 })).rejects.toThrow();
    await expect(request(`${runtime.url}/readyz`)).rejects.toThrow(/certificate/u);
    expect(await servedSerial(port, ca)).toBe('1001');

    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await request(`${runtime.url}/v1/ingress/example/cart/u${i % 20}`, {
          method: 'POST',
          dispatcher: trusting,
          headers: { 'statefun-type': CART_TYPES.addToCart },
          body: JSON.stringify({ userId: `u${i % 20}`, itemId: 'socks', quantity: 1 }),
        });
        await res.body.text();
        statuses.push(res.statusCode);
      }
    })();
    await waitFor('some load', () => statuses.length > 20);
    await writeFile(`${dir.path}/live.pem`, await readFile(`${dir.path}/renewed.pem`));
    await writeFile(`${dir.path}/live.key`, await readFile(`${dir.path}/renewed.key`));
    process.kill(runtime.pid!, 'SIGHUP');
    await waitFor('the renewed certificate', async () => (await servedSerial(port, ca)) === '2002');
    const before = statuses.length;
    await waitFor('load after the reload', () => statuses.length > before + 20);
    stop = true;
    await load;
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(runtime.logs.some((l) => l['event'] === 'api.tls.reloaded')).toBe(true);
  }, 60_000);

  it('with a client CA, refuses clients without a certificate of it (mutual TLS)', async () => {
    const runtime = await start('--tls-client-ca', `${dir.path}/ca.pem`);
    const port = Number(new URL(runtime.url).port);
    // TLS 1.3: the server refuses a missing client certificate after the client's handshake, so a request fails.
    await expect(
      request(`${runtime.url}/readyz`, { dispatcher: new Agent({ connect: { ca } }) }),
    ).rejects.toThrow();
    const client = {
      cert: await readFile(`${dir.path}/client.pem`),
      key: await readFile(`${dir.path}/client.key`),
    };
    expect(await servedSerial(port, ca, client)).toBe('2002');
    const withCert = new Agent({ connect: { ca, ...client } });
    expect((await request(`${runtime.url}/readyz`, { dispatcher: withCert })).statusCode).toBe(200);
  }, 30_000);
});
