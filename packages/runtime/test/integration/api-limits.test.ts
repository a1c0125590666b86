/**
 * The API's limits (docs/security.md "Limits"): ids and typenames of ingress, header count and size, requests
 * node's parser refuses, per-token rates (429 with Retry-After), the egress `limit` and long-poll `wait` caps and
 * the connection limit. Every refusal is JSON with a code of docs/errors.md, and the runtime keeps serving.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTempDir,
  moduleYaml,
  rawHttp,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type RecordedRequest,
} from '@statehouse/testkit';

const LIMITED = 'limited-token-0123456789';
const FREE = 'unlimited-token-0123456789';

function echo(request: RecordedRequest): ReturnType<typeof resultReply> {
  return resultReply({
    outgoingEgresses: request.invocations.map((inv) => ({
      egressNamespace: 'lim',
      egressType: 'out',
      argument: { typename: inv.typename, hasValue: true, value: inv.value },
    })),
  });
}

/** A GET with `count` extra headers, through node:http (which sends what it is given). */
async function getWithHeaders(url: string, count: number): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${FREE}` };
  for (let i = 0; i < count; i++) headers[`x-h${i}`] = 'v';
  const req = httpRequest(`${url}/v1/stalled`, { headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode!, body };
}

describe('API limits', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let url: string;
  let free: ApiClient;
  let limited: ApiClient;

  beforeAll(async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(echo);
    cleanups.push(() => service.close());
    const started = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'lim/*', urlPathTemplate: `${service.url}/{function.name}` }],
        logEgresses: ['lim/out'],
      }),
      dataDir: dir.path,
      cleanups,
      options: {
        logger: pino({ level: 'silent' }),
        maxIdBytes: 16,
        maxHeaders: 20,
        maxHeaderBytes: 2048,
        maxConnections: 4,
        maxEgressLimit: 3,
        maxEgressWaitMs: 200,
        apiAuth: {
          tokens: [
            { name: 'limited', token: LIMITED, scopes: ['ingress', 'read'], rate: '1/h', burst: 2 },
            { name: 'free', token: FREE, scopes: ['ingress', 'read'] },
          ],
        },
      },
    });
    url = started.runtime.url;
    free = new ApiClient(url, { token: FREE });
    limited = new ApiClient(url, { token: LIMITED });
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('refuses an empty id and an id over maxIdBytes, and takes one at the limit', async () => {
    const send = (id: string) => free.ingressJson('lim/echo', id, 'lim/Msg', { n: 1 });
    expect(await send('')).toMatchObject({
      status: 400,
      body: { error: { code: 'ERR_API_MALFORMED_PATH' } },
    });
    expect(await send('x'.repeat(17))).toMatchObject({
      status: 400,
      body: { error: { code: 'ERR_API_MALFORMED_PATH' } },
    });
    expect((await send('x'.repeat(16))).status).toBe(202);
  });

  it('answers 431 ERR_API_TOO_MANY_HEADERS past maxHeaders', async () => {
    expect((await getWithHeaders(url, 15)).status).toBe(200);
    const over = await getWithHeaders(url, 25);
    expect(over.status).toBe(431);
    expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'ERR_API_TOO_MANY_HEADERS' } });
  });

  it('answers 431 ERR_API_HEADERS_TOO_LARGE past maxHeaderBytes, 400 to what is not HTTP or has no Host, 405 to CONNECT, 417 to an unknown expectation', async () => {
    const big = await rawHttp(url, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(big.status).toBe(431);
    expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'ERR_API_HEADERS_TOO_LARGE' } });
    const junk = await rawHttp(url, 'GET /healthz HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n');
    expect(junk.status).toBe(400);
    expect(JSON.parse(junk.body)).toMatchObject({ error: { code: 'ERR_API_MALFORMED_REQUEST' } });
    const expectation = await rawHttp(
      url,
      'GET /healthz HTTP/1.1\r\nhost: x\r\nexpect: 0\r\nconnection: close\r\n\r\n',
    );
    expect(expectation.status).toBe(417);
    expect(JSON.parse(expectation.body)).toMatchObject({ error: { code: 'ERR_API_EXPECTATION_FAILED' } });
    const hostless = await rawHttp(url, 'GET /healthz HTTP/1.1\r\nconnection: close\r\n\r\n');
    expect([hostless.status, JSON.parse(hostless.body)]).toMatchObject([
      400,
      { error: { code: 'ERR_API_MALFORMED_REQUEST' } },
    ]);
    const tunnel = await rawHttp(url, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n');
    expect([tunnel.status, JSON.parse(tunnel.body)]).toMatchObject([
      405,
      { error: { code: 'ERR_API_METHOD_NOT_ALLOWED' } },
    ]);
    expect((await free.state('lim/echo', 'nobody')).status).toBe(404);
  });

  it('limits a token to its rate with 429 and Retry-After; other tokens go on', async () => {
    const first = await limited.ingressJson('lim/echo', 'r1', 'lim/Msg', { n: 1 });
    const second = await limited.egress('lim/out');
    expect([first.status, second.status]).toEqual([202, 200]);
    const third = await limited.egress('lim/out');
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: 'ERR_API_RATE_LIMITED' } });
    expect(JSON.stringify(third.body)).not.toContain(LIMITED);
    // One request an hour, the bucket just emptied: a whole hour until the next.
    expect(Number(third.headers['retry-after'])).toBe(3600);
    expect((await free.egress('lim/out')).status).toBe(200);
  });

  it('caps the egress limit and the long-poll wait', async () => {
    for (let n = 0; n < 5; n++)
      expect((await free.ingressJson('lim/echo', `e${n}`, 'lim/Msg', { n })).status).toBe(202);
    // 7 records: the rate test's, the id test's and these 5; one page holds 3 however many are asked for.
    await waitFor(
      '7 egress records',
      async () => (await free.egress('lim/out', 6, 1000)).body.records?.length === 1,
    );
    const page = await free.egress('lim/out', 0, 1000);
    expect(page.body.records).toHaveLength(3);
    expect(page.body.next).toBe(3);
    const started = Date.now();
    const poll = await fetch(`${url}/v1/egress/lim/out?from=1000&wait=600000`, {
      headers: { authorization: `Bearer ${FREE}` },
    });
    expect(poll.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('closes connections over maxConnections at once and serves again once they close', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
        sockets.push(socket);
        await once(socket, 'connect');
      }
      await waitFor(
        'a connection over the limit closed',
        async () =>
          (await rawHttp(url, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n', 2_000)).status === undefined,
      );
    } finally {
      for (const s of sockets) s.destroy();
    }
    await waitFor('healthz again', async () => (await fetch(`${url}/healthz`)).status === 200);
  });
});
