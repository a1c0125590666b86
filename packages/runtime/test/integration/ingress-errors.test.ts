/**
 * The HTTP API's error answers (docs/runtime.md section 4, docs/errors.md): exact status and
 * `{"error": {"code", "message"}}` for every malformed request; idempotency keys; and no refusal when memory
 * is full: the backlog waits in the store and everything accepted is processed exactly once, in order, after
 * the function service unblocks.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Gate,
  createTempDir,
  metricValue,
  moduleYaml,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
  type RecordedRequest,
  type RecordingService,
  type Responder,
} from '@statehouse/testkit';

const EGRESS = 'ie/out';
const MSG = 'ie/Msg';

/** Echoes every invocation's argument to the egress `ie/out`. */
function echo(request: RecordedRequest): ReturnType<typeof resultReply> {
  return resultReply({
    outgoingEgresses: request.invocations.map((inv) => ({
      egressNamespace: 'ie',
      egressType: 'out',
      argument: { typename: inv.typename, hasValue: true, value: inv.value },
    })),
  });
}

interface Payload {
  tag: string;
  n: number;
}

async function startEchoRuntime(
  cleanups: (() => Promise<void>)[],
  responder: Responder,
  options: { maxIngressBytes?: number; maxInboxMessages?: number } = {},
): Promise<{ api: ApiClient; service: RecordingService }> {
  const dir = await createTempDir();
  cleanups.push(() => dir.cleanup());
  const service = await serveRecording(responder);
  cleanups.push(() => service.close());
  const { api } = await startEmbeddedRuntime({
    moduleText: moduleYaml({
      endpoints: [{ functions: 'ie/*', urlPathTemplate: `${service.url}/{function.name}` }],
      logEgresses: [EGRESS],
    }),
    dataDir: dir.path,
    cleanups,
    options: { logger: pino({ level: 'warn' }), ...options },
  });
  return { api, service };
}

async function payloads(api: ApiClient, tag: string): Promise<number[]> {
  return (await api.allEgress(EGRESS))
    .map((r) => r.json as Payload)
    .filter((p) => p.tag === tag)
    .map((p) => p.n);
}

function invocationsOf(service: RecordingService, id: string): number[] {
  return service
    .requestsFor('ie/echo', id)
    .flatMap((r) => r.invocations.map((i) => (JSON.parse(i.value.toString()) as Payload).n));
}

describe('ingress and API errors', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let api: ApiClient;
  let service: RecordingService;
  beforeAll(async () => {
    ({ api, service } = await startEchoRuntime(cleanups, echo, { maxIngressBytes: 1024 }));
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  interface Case {
    readonly name: string;
    readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    readonly path: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | Uint8Array | Readable;
    readonly status: number;
    readonly code: string;
  }
  const json = { 'statefun-type': MSG };
  const body = JSON.stringify({ tag: 'never', n: 1 });
  const big = 'x'.repeat(1025);
  const cases: Case[] = [
    {
      name: 'too few path segments',
      path: '/v1/ingress/ie/echo',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'too many path segments',
      path: '/v1/ingress/ie/echo/a/b',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'empty namespace',
      path: '/v1/ingress//echo/a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'empty name',
      path: '/v1/ingress/ie//a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'encoded "/" in the namespace (a%2Fb/c/id)',
      path: '/v1/ingress/ie%2Fx/echo/a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'encoded "/" in the name, under the ie/* binding',
      path: '/v1/ingress/ie/echo%2Fx/a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'encoded space in the namespace (a%20b/c/id)',
      path: '/v1/ingress/i%20e/echo/a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'encoded tab in the name',
      path: '/v1/ingress/ie/echo%09/a',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'invalid percent-encoding',
      path: '/v1/ingress/ie/echo/%E0%A4%A',
      headers: json,
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_PATH',
    },
    {
      name: 'missing statefun-type',
      path: '/v1/ingress/ie/echo/a',
      body,
      status: 400,
      code: 'ERR_API_MISSING_TYPE',
    },
    {
      name: 'empty statefun-type',
      path: '/v1/ingress/ie/echo/a',
      headers: { 'statefun-type': '' },
      body,
      status: 400,
      code: 'ERR_API_MISSING_TYPE',
    },
    {
      name: 'typename without slash',
      path: '/v1/ingress/ie/echo/a',
      headers: { 'statefun-type': 'ieMsg' },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_TYPE',
    },
    {
      name: 'typename with trailing slash',
      path: '/v1/ingress/ie/echo/a',
      headers: { 'statefun-type': 'ie/' },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_TYPE',
    },
    {
      name: 'typename with leading slash',
      path: '/v1/ingress/ie/echo/a',
      headers: { 'statefun-type': '/Msg' },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_TYPE',
    },
    {
      name: 'typename with a space',
      path: '/v1/ingress/ie/echo/a',
      headers: { 'statefun-type': 'ie/My Msg' },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_TYPE',
    },
    {
      name: 'body over the limit',
      path: '/v1/ingress/ie/echo/a',
      headers: json,
      body: big,
      status: 413,
      code: 'ERR_API_BODY_TOO_LARGE',
    },
    {
      name: 'chunked body over the limit',
      path: '/v1/ingress/ie/echo/a',
      headers: json,
      // No content-length: the limit is enforced while streaming.
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 5; i++) yield Buffer.alloc(300);
        })(),
      ),
      status: 413,
      code: 'ERR_API_BODY_TOO_LARGE',
    },
    {
      name: 'unknown function type',
      path: '/v1/ingress/nope/echo/a',
      headers: json,
      body,
      status: 404,
      code: 'ERR_API_UNKNOWN_FUNCTION_TYPE',
    },
    {
      name: 'empty idempotency-key',
      path: '/v1/ingress/ie/echo/a',
      headers: { ...json, 'idempotency-key': '' },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_IDEMPOTENCY_KEY',
    },
    {
      name: 'idempotency-key over 512 characters',
      path: '/v1/ingress/ie/echo/a',
      headers: { ...json, 'idempotency-key': 'k'.repeat(513) },
      body,
      status: 400,
      code: 'ERR_API_MALFORMED_IDEMPOTENCY_KEY',
    },
    {
      name: 'GET on ingress',
      method: 'GET',
      path: '/v1/ingress/ie/echo/a',
      status: 405,
      code: 'ERR_API_METHOD_NOT_ALLOWED',
    },
    {
      name: 'PUT on ingress',
      method: 'PUT',
      path: '/v1/ingress/ie/echo/a',
      headers: json,
      body,
      status: 405,
      code: 'ERR_API_METHOD_NOT_ALLOWED',
    },
    {
      name: 'POST on state',
      method: 'POST',
      path: '/v1/state/ie/echo/a',
      body,
      status: 405,
      code: 'ERR_API_METHOD_NOT_ALLOWED',
    },
    {
      name: 'DELETE on egress',
      method: 'DELETE',
      path: `/v1/egress/${EGRESS}`,
      status: 405,
      code: 'ERR_API_METHOD_NOT_ALLOWED',
    },
    {
      name: 'unknown route',
      method: 'GET',
      path: '/v1/nothing/here',
      status: 404,
      code: 'ERR_API_NOT_FOUND',
    },
    {
      name: 'egress path with an extra segment',
      method: 'GET',
      path: `/v1/egress/${EGRESS}/x`,
      status: 404,
      code: 'ERR_API_NOT_FOUND',
    },
    {
      name: 'unknown egress',
      method: 'GET',
      path: '/v1/egress/ie/nope',
      status: 404,
      code: 'ERR_API_UNKNOWN_EGRESS',
    },
    {
      // A negative whole number is a tail (the last N records); a sign alone is no number.
      name: 'from without digits',
      method: 'GET',
      path: `/v1/egress/${EGRESS}?from=-`,
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'non-numeric from',
      method: 'GET',
      path: `/v1/egress/${EGRESS}?from=abc`,
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'fractional from',
      method: 'GET',
      path: `/v1/egress/${EGRESS}?from=1.5`,
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'non-numeric limit',
      method: 'GET',
      path: `/v1/egress/${EGRESS}?limit=ten`,
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'empty limit',
      method: 'GET',
      path: `/v1/egress/${EGRESS}?limit=`,
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'exponent in a stalled limit',
      method: 'GET',
      path: '/v1/stalled?limit=1e2',
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'stalled of a malformed function type',
      method: 'GET',
      path: '/v1/stalled?functionType=bad',
      status: 400,
      code: 'ERR_API_MALFORMED_QUERY',
    },
    {
      name: 'state of an address without state',
      method: 'GET',
      path: '/v1/state/ie/echo/nobody',
      status: 404,
      code: 'ERR_API_NO_STATE',
    },
  ];

  it.each(cases)('$name → $status $code', async (c) => {
    const res = await request(api.baseUrl + c.path, {
      method: c.method ?? 'POST',
      headers: c.headers ?? {},
      ...(c.body === undefined ? {} : { body: c.body }),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(c.status);
    expect(String(res.headers['content-type'])).toBe('application/json');
    const parsed = JSON.parse(text) as { error: { code: string; message: string } };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error.code).toBe(c.code);
    expect(parsed.error.message).toEqual(expect.any(String));
    expect(parsed.error.message.length).toBeGreaterThan(10);
  });

  // RFC 9110 §15.5.6: a 405 MUST carry an Allow header.
  it('405 answers name the allowed methods in an Allow header', async () => {
    const get = await request(`${api.baseUrl}/v1/ingress/ie/echo/a`, { method: 'GET' });
    await get.body.text();
    expect(get.statusCode).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    const del = await request(`${api.baseUrl}/v1/egress/${EGRESS}`, { method: 'DELETE' });
    await del.body.text();
    expect(del.statusCode).toBe(405);
    expect(del.headers['allow']).toBe('GET, HEAD');
  });

  it('rejected requests enqueue nothing; a body of exactly the limit is accepted', async () => {
    // Every case above targeted ie/echo/a or nothing; none of it may have reached the function.
    const id = `limit-${randomUUID()}`;
    const exact = JSON.stringify({ tag: id, n: 1, pad: '' });
    const padded = JSON.stringify({ tag: id, n: 1, pad: 'p'.repeat(1024 - exact.length) });
    expect(Buffer.byteLength(padded)).toBe(1024);
    const res = await api.ingress('ie/echo', id, { typename: MSG, bytes: padded });
    expect(res.status).toBe(202);
    expect(res.body.messageId).toMatch(/^\d+$/);
    await waitFor('the 1024-byte message', async () => (await payloads(api, id)).length === 1);
    expect(service.requests.map((r) => r.id)).toEqual([id]);
    expect((await api.egress(EGRESS, 0, 10)).body).toMatchObject({ next: 1 });
    const metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_ingress_requests_total', { status: '202' })).toBe(1);
    expect(metricValue(metrics, 'statehouse_ingress_requests_total', { status: '404' })).toBe(1);
  });

  it('an encoded "/" or space in the id is still accepted: only the function type must be a typename', async () => {
    const id = `enc/${randomUUID()} x`;
    const res = await request(`${api.baseUrl}/v1/ingress/ie/echo/${encodeURIComponent(id)}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ tag: id, n: 7 }),
    });
    await res.body.text();
    expect(res.statusCode).toBe(202);
    await waitFor('the message to the encoded id', async () => (await payloads(api, id)).length === 1);
    expect(invocationsOf(service, id)).toEqual([7]);
  });
});

describe('idempotency keys', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('the same key twice → both 202 with one messageId and one run; different keys → separate runs', async () => {
    const { api, service } = await startEchoRuntime(cleanups, echo);
    const id = `idem-${randomUUID()}`;
    const send = (n: number, key?: string) => api.ingressJson('ie/echo', id, MSG, { tag: id, n }, key);
    const k1 = `k1-${randomUUID()}`;

    const a = await send(1, k1);
    const b = await send(1, k1);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.messageId).toBe(a.body.messageId);
    // Concurrent retries with one key, and a retry carrying a different body: still the first message.
    const k2 = `k2-${randomUUID()}`;
    const burst = await Promise.all([send(2, k2), send(2, k2), send(2, k2), send(99, k2)]);
    expect(burst.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(burst.map((r) => r.body.messageId)).size).toBe(1);
    expect(burst[0].body.messageId).not.toBe(a.body.messageId);
    // Different keys, and no key: separate messages.
    const c = await send(3, `k3-${randomUUID()}`);
    const d = await send(3, `k4-${randomUUID()}`);
    const e = await send(4);
    const f = await send(4);
    const ids = [a, burst[0], c, d, e, f].map((r) => r.body.messageId);
    expect(new Set(ids).size).toBe(6);

    await waitFor('six runs', async () => (await payloads(api, id)).length >= 6);
    // A retry of an already processed key is still a no-op.
    const late = await send(1, k1);
    expect(late.status).toBe(202);
    expect(late.body.messageId).toBe(a.body.messageId);
    // Per-address FIFO: once this marker is processed, everything accepted before it was too.
    await send(5);
    await waitFor('marker', async () => (await payloads(api, id)).includes(5));

    const processed = await payloads(api, id);
    expect(processed).toHaveLength(7);
    expect(processed.filter((n) => n === 1)).toHaveLength(1);
    expect(processed.filter((n) => n === 2)).toHaveLength(1);
    expect(processed.filter((n) => n === 99)).toHaveLength(0);
    expect(processed.filter((n) => n === 3)).toHaveLength(2);
    expect(processed.filter((n) => n === 4)).toHaveLength(2);
    expect(invocationsOf(service, id).sort()).toEqual([...processed].sort());
  });

  it('keys are durable: a retry after a restart on the same data gets the first messageId and no second run', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(echo);
    cleanups.push(() => service.close());
    const moduleText = moduleYaml({
      endpoints: [{ functions: 'ie/*', urlPathTemplate: `${service.url}/{function.name}` }],
      logEgresses: [EGRESS],
    });
    const logger = pino({ level: 'warn' });
    const id = `restart-${randomUUID()}`;
    const key = `k-${randomUUID()}`;

    const first = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    const a = await first.api.ingressJson('ie/echo', id, MSG, { tag: id, n: 1 }, key);
    expect(a.status).toBe(202);
    await waitFor('processed', async () => (await payloads(first.api, id)).length === 1);
    await first.runtime.close();

    const second = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    const b = await second.api.ingressJson('ie/echo', id, MSG, { tag: id, n: 1 }, key);
    expect(b.status).toBe(202);
    expect(b.body.messageId).toBe(a.body.messageId);
    const c = await second.api.ingressJson('ie/echo', id, MSG, { tag: id, n: 2 });
    expect(c.status).toBe(202);
    expect(Number(c.body.messageId)).toBeGreaterThan(Number(a.body.messageId));
    await waitFor('marker', async () => (await payloads(second.api, id)).includes(2));
    expect(await payloads(second.api, id)).toEqual([1, 2]);
    expect(invocationsOf(service, id)).toEqual([1, 2]);
  });
});

describe('backpressure', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('keeps accepting past maxInboxMessages: the backlog waits in the store and is processed once, in order', async () => {
    const gate = new Gate();
    cleanups.push(() => Promise.resolve(gate.open()));
    const { api, service } = await startEchoRuntime(
      cleanups,
      async (req) => {
        await gate.wait();
        return echo(req);
      },
      { maxInboxMessages: 3 },
    );
    const id = `bp-${randomUUID()}`;
    const other = `${id}-other`;
    const send = (n: number, target = id) => api.ingressJson('ie/echo', target, MSG, { tag: id, n });

    expect((await send(1)).status).toBe(202);
    await waitFor('the first request to hang at the service', () => service.inFlight === 1);
    let peak = 0;
    for (let n = 2; n <= 40; n += 1) {
      expect((await send(n, n % 3 === 0 ? other : id)).status).toBe(202);
      const held = metricValue((await api.get<string>('/metrics')).body, 'statehouse_inbox_messages');
      peak = Math.max(peak, held ?? 0);
    }
    expect(peak).toBeLessThanOrEqual(3);
    const metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_ingress_requests_total', { status: '503' })).toBeUndefined();

    gate.open();
    const mine = Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => n === 1 || n % 3 !== 0);
    const others = Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => n !== 1 && n % 3 === 0);
    await waitFor('all processed', async () => (await payloads(api, id)).length === 40);
    expect(invocationsOf(service, id)).toEqual(mine);
    expect(invocationsOf(service, other)).toEqual(others);
    expect((await payloads(api, id)).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(service.maxInFlightPerAddress).toBe(1);
  });
});
