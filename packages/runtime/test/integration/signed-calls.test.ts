/**
 * Signed function calls end to end: a runtime with an Ed25519 signing key calls functions of our SDK served by
 * its three handlers (node:http, Fetch and Lambda, the last two behind a small node:http bridge), which verify
 * the signature. A handler that knows another key, one whose clock says the signature is old, and a tampering
 * proxy answer 401: the address stalls like for any failure, is retried, and its message is applied once the
 * handler knows the key. The official StateFun SDK ignores the header.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFetchHandler,
  createLambdaHandler,
  createNodeHandler,
  defineFunction,
  IntType,
  valueSpec,
  type HandlerOptions,
} from '@statehouse/sdk';
import {
  CART_TYPES,
  createTempDir,
  moduleYaml,
  serveOfficialCart,
  startEmbeddedRuntime,
  waitFor,
} from '@statehouse/testkit';

const signing = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const publicPem = (key: typeof signing) => key.publicKey.export({ format: 'pem', type: 'spki' }) as string;

/** A counter of one function type: state `n` counts the messages it got. */
const counter = (type: string) =>
  defineFunction({
    type,
    state: { n: valueSpec(IntType) },
    handle(ctx) {
      ctx.state.n = (ctx.state.n ?? 0) + 1;
    },
  });

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves a Fetch handler over node:http; `tamper` changes the body on the way, as a proxy could. */
function fetchBridge(handler: (r: Request) => Promise<Response>, tamper = false): RequestListener {
  return (req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      if (tamper) body.writeUInt8(body.readUInt8(body.length - 1) ^ 1, body.length - 1);
      const headers = Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]);
      const answer = await handler(
        new Request(`http://127.0.0.1${req.url}`, { method: req.method!, headers, body }),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    })();
  };
}

/** Serves a Lambda handler over node:http, as a function URL does: a payload v2 event with a base64 body. */
function lambdaBridge(handler: ReturnType<typeof createLambdaHandler>): RequestListener {
  return (req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const [rawPath, rawQueryString = ''] = req.url!.split('?');
      const result = await handler({
        version: '2.0',
        rawPath: rawPath!,
        rawQueryString,
        headers: req.headers as Record<string, string>,
        requestContext: { http: { method: req.method } },
        body: body.toString('base64'),
        isBase64Encoded: true,
      });
      res.writeHead(result.statusCode, result.headers);
      res.end(Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
    })();
  };
}

describe('signed function calls', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function listen(listener: RequestListener): Promise<string> {
    const server = createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('are verified by the three handlers; a wrong key, an old timestamp or a tampered body stall until fixed', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const trusting: HandlerOptions = { signature: { keys: [publicPem(stranger), publicPem(signing)] } };
    // The handler of signed/rotated knows only another key at first; the listener is swapped later.
    let rotated: (req: IncomingMessage, res: ServerResponse) => void = createNodeHandler(
      [counter('signed/rotated')],
      { signature: { keys: [publicPem(stranger)] } },
    );
    const future = () => Date.now() + 10 * 60_000;
    const cart = await serveOfficialCart();
    cleanups.push(() => cart.close());
    const urls = {
      node: await listen(createNodeHandler([counter('signed/node')], trusting)),
      fetch: await listen(fetchBridge(createFetchHandler([counter('signed/fetch')], trusting))),
      lambda: await listen(lambdaBridge(createLambdaHandler([counter('signed/lambda')], trusting))),
      rotated: await listen((req, res) => rotated(req, res)),
      stale: await listen(
        createNodeHandler([counter('signed/stale')], { signature: { ...trusting.signature!, now: future } }),
      ),
      tampered: await listen(fetchBridge(createFetchHandler([counter('signed/tampered')], trusting), true)),
    };
    const endpoints = Object.entries(urls).map(([name, url]) => ({
      functions: `signed/${name}`,
      urlPathTemplate: `${url}/statefun/{function.name}?via=${name}`,
      call: '1s',
    }));
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [...endpoints, { functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` }],
        logEgresses: [CART_TYPES.egress],
      }),
      dataDir: dir.path,
      cleanups,
      options: {
        logger: pino({ level: 'silent' }),
        stalledRetryMaxMs: 300,
        callSigningKey: signing.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      },
    });

    for (const name of Object.keys(urls))
      expect(
        (await api.ingress(`signed/${name}`, 'a', { typename: 'signed/Tick', bytes: '{}' })).status,
      ).toBe(202);
    await api.ingressJson('example/inventory', 'hat', CART_TYPES.restock, { itemId: 'hat', quantity: 1 });

    const count = async (name: string) => (await api.state(`signed/${name}`, 'a')).body.values?.['n']?.json;
    await waitFor('the three handlers verified and applied', async () =>
      (await Promise.all(['node', 'fetch', 'lambda'].map(count))).every((n) => n === 1),
    );
    type Stalled = { functionType: string; lastError: { code: string; message: string } };
    const stalled = async () => (await api.get<{ stalled: Stalled[] }>('/v1/stalled')).body.stalled;
    await waitFor('the refused calls stalled', async () => (await stalled()).length === 3, {
      timeoutMs: 10_000,
    });
    const why = Object.fromEntries((await stalled()).map((s) => [s.functionType, s.lastError]));
    expect(why['signed/rotated']?.message).toMatch(/HTTP 401: .*ERR_SDK_SIGNATURE_INVALID.*does not know/u);
    expect(why['signed/stale']?.message).toMatch(/HTTP 401: .*ERR_SDK_SIGNATURE_STALE/u);
    expect(why['signed/tampered']?.message).toMatch(/HTTP 401: .*ERR_SDK_SIGNATURE_INVALID.*does not match/u);
    for (const name of ['rotated', 'stale', 'tampered']) expect(await count(name)).toBeUndefined();
    // The official SDK ignores the signature header.
    await waitFor(
      'the official SDK applied',
      async () => (await api.state('example/inventory', 'hat')).status === 200,
    );

    // The key is rotated into the function: the stalled message is retried and applied, once.
    rotated = createNodeHandler([counter('signed/rotated')], trusting);
    await waitFor(
      'the rotated handler applied the retried message',
      async () => (await count('rotated')) === 1,
    );
    expect((await stalled()).map((s) => s.functionType).sort()).toEqual(['signed/stale', 'signed/tampered']);
  }, 30_000);
});
