/**
 * FunctionClient against a real HTTP server on a free port: what one attempt sends, what it accepts, and the
 * coded InvocationError for each way an attempt can fail.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { FromFunction } from '@statehouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { InvocationError } from '../errors.js';
import { FunctionClient, type FunctionClientOptions } from './function-client.js';

const TRANSPORT: FunctionClientOptions = {
  connectMs: 2_000,
  poolSize: 4,
  poolTtlMs: 0,
  payloadMaxBytes: 1024,
};
const REQUEST = new Uint8Array([1, 2, 3, 4]);
const REPLY = Buffer.from(
  FromFunction.encode({
    invocationResult: {
      outgoingMessages: [
        { target: { namespace: 'test', type: 'other', id: 'x' }, argument: { typename: 'test/Arg' } },
      ],
    },
  }).finish(),
);

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/** Starts a function service answering with `handler`; `listenOn` is a Unix socket path, else 127.0.0.1:0. */
async function service(handler: Handler, listenOn?: string) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  if (listenOn === undefined) server.listen(0, '127.0.0.1');
  else server.listen(listenOn);
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'string' ? 80 : (address as AddressInfo).port;
  return { url: new URL(`http://127.0.0.1:${port}/statefun?fn=cart`), received };
}

function client(): FunctionClient {
  const c = new FunctionClient();
  cleanups.push(() => c.close());
  return c;
}

function reply(
  body: Buffer,
  headers: Record<string, string> = { 'content-type': 'application/octet-stream' },
) {
  return (_req: IncomingMessage, _body: Buffer, res: ServerResponse): void => {
    res.writeHead(200, { ...headers, 'content-length': String(body.byteLength) });
    res.end(body);
  };
}

/**
 * Runs `fn` with the process's uncaught-exception listeners (the test runner's) swapped for a collector, so an
 * error a stream emits with nobody listening is seen by the test instead of failing the run. It returns once
 * every stream `fn` destroyed has emitted 'close' (a destroyed stream emits its error, if any, just before), or
 * an error escaped: no fixed wait, and `destroyed` shows that there was a stream to watch.
 */
async function capturingUncaught<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; escaped: unknown[]; destroyed: number }> {
  const escaped: unknown[] = [];
  let onEscaped: () => void = () => undefined;
  const hasEscaped = new Promise<void>((resolve) => (onEscaped = resolve));
  const collect = (err: unknown): void => {
    escaped.push(err);
    onEscaped();
  };
  const closed: Promise<void>[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the stream as `this`
  const destroy = Readable.prototype.destroy;
  // Sockets are left out: they emit 'close' when their handle closes, which a kept-alive connection need not do.
  Readable.prototype.destroy = function (this: Readable, error?: Error) {
    // Listening to 'close' only: an 'error' listener would handle the very error the test looks for.
    if (!this.destroyed && !(this instanceof Socket)) {
      closed.push(new Promise((resolve) => this.once('close', () => resolve())));
    }
    return destroy.call(this, error);
  };
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', collect);
  try {
    const result = await fn();
    await Promise.race([Promise.all(closed), hasEscaped]);
    return { result, escaped, destroyed: closed.length };
  } finally {
    Readable.prototype.destroy = destroy;
    process.off('uncaughtException', collect);
    for (const l of listeners) process.on('uncaughtException', l);
  }
}

/** Runs an attempt that must fail and returns its error. */
async function failure(attempt: Promise<unknown>): Promise<InvocationError> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvocationError);
  expect((err as InvocationError).retryable).toBe(true);
  return err as InvocationError;
}

describe('FunctionClient.call', () => {
  it('POSTs the request as octet-stream to the path and query of the URL', async () => {
    const { url, received } = await service(reply(REPLY));
    await client().call(url, TRANSPORT, REQUEST, 2_000);
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r?.method).toBe('POST');
    expect(r?.url).toBe('/statefun?fn=cart');
    expect(r?.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      accept: 'application/octet-stream',
      'accept-encoding': 'gzip, deflate',
      'content-length': '4',
    });
    expect([...r!.body]).toEqual([1, 2, 3, 4]);
  });

  it('decodes the reply and reports its size', async () => {
    const { url } = await service(reply(REPLY));
    const result = await client().call(url, TRANSPORT, REQUEST, 2_000);
    expect(result.responseBytes).toBe(REPLY.byteLength);
    expect(result.reply.invocationResult?.outgoingMessages?.[0]?.target).toMatchObject({
      type: 'other',
      id: 'x',
    });
  });

  it.each([
    ['a content type with parameters', { 'content-type': 'Application/Octet-Stream; charset=binary' }],
    ['no content type', {}],
    ['gzip', { 'content-encoding': 'gzip' }, gzipSync],
    ['x-gzip', { 'content-encoding': 'x-gzip' }, gzipSync],
    ['deflate', { 'content-encoding': 'deflate' }, deflateSync],
    ['identity', { 'content-encoding': 'identity' }],
  ])('accepts a reply with %s', async (_, headers, encode?: (b: Buffer) => Buffer) => {
    const body = encode === undefined ? REPLY : encode(REPLY);
    const { url } = await service(reply(body, headers));
    const result = await client().call(url, TRANSPORT, REQUEST, 2_000);
    expect(result.responseBytes).toBe(REPLY.byteLength);
    expect(result.reply.invocationResult?.outgoingMessages ?? []).toHaveLength(1);
  });

  it('reads a reply sent in chunks without a length', async () => {
    const { url } = await service((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(REPLY.subarray(0, 5));
      setTimeout(() => res.end(REPLY.subarray(5)), 10);
    });
    const result = await client().call(url, TRANSPORT, REQUEST, 2_000);
    expect(result.responseBytes).toBe(REPLY.byteLength);
  });

  it('connects through a Unix domain socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'function-client-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, 'fn.sock');
    const { received } = await service(reply(REPLY), socket);
    const result = await client().call(new URL('http://localhost/fn'), TRANSPORT, REQUEST, 2_000, socket);
    expect(result.responseBytes).toBe(REPLY.byteLength);
    expect(received[0]?.url).toBe('/fn');
  });
});

describe('FunctionClient.call failures', () => {
  it.each([
    [500, 'boom\n   at handler', ': boom at handler'],
    [503, '', ' with an empty body'],
    [404, 'x'.repeat(400), `: ${'x'.repeat(300)}…`],
    [302, '', ' with an empty body'],
  ])(
    'turns HTTP %i into ERR_INVOKE_HTTP_STATUS with an excerpt of the body',
    async (status, text, excerpt) => {
      const { url } = await service((_req, _body, res) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(text);
      });
      const err = await failure(client().call(url, TRANSPORT, REQUEST, 2_000));
      expect(err.code).toBe('ERR_INVOKE_HTTP_STATUS');
      expect(err.status).toBe(status);
      expect(err.message).toBe(`${url.href} answered HTTP ${status}${excerpt}`);
    },
  );

  it('refuses a reply that is not octet-stream (ERR_INVOKE_CONTENT_TYPE)', async () => {
    const { url } = await service(reply(REPLY, { 'content-type': 'application/json' }));
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 2_000));
    expect(err.code).toBe('ERR_INVOKE_CONTENT_TYPE');
    expect(err.status).toBe(200);
    expect(err.message).toContain('application/json');
  });

  it('refuses bytes that are not a FromFunction (ERR_INVOKE_MALFORMED_REPLY)', async () => {
    const { url } = await service(reply(Buffer.from([0x0a, 0xff])));
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 2_000));
    expect(err.code).toBe('ERR_INVOKE_MALFORMED_REPLY');
    expect(err.status).toBe(200);
  });

  it('refuses a corrupt compressed body (ERR_INVOKE_MALFORMED_REPLY)', async () => {
    const { url } = await service(
      reply(Buffer.from('not gzip'), {
        'content-type': 'application/octet-stream',
        'content-encoding': 'gzip',
      }),
    );
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 2_000));
    expect(err.code).toBe('ERR_INVOKE_MALFORMED_REPLY');
    expect(err.message).toContain('corrupt gzip');
  });

  it('refuses an encoding other than gzip and deflate (ERR_INVOKE_CONTENT_ENCODING)', async () => {
    const { url } = await service(
      reply(REPLY, { 'content-type': 'application/octet-stream', 'content-encoding': 'br' }),
    );
    expect((await failure(client().call(url, TRANSPORT, REQUEST, 2_000))).code).toBe(
      'ERR_INVOKE_CONTENT_ENCODING',
    );
  });

  it('refuses a declared length over payload_max_bytes (ERR_INVOKE_RESPONSE_TOO_LARGE)', async () => {
    const { url } = await service(reply(Buffer.alloc(1025)));
    const { result } = await capturingUncaught(() => failure(client().call(url, TRANSPORT, REQUEST, 2_000)));
    expect(result.code).toBe('ERR_INVOKE_RESPONSE_TOO_LARGE');
    expect(result.message).toContain('1025 bytes');
  });

  // Destroying undici's body without an error listener made it emit an unhandled 'error' (UND_ERR_ABORTED):
  // a function service answering with a Content-Length over payload_max_bytes ended the runtime process.
  it('discards a body over payload_max_bytes without an escaping error', async () => {
    const { url } = await service(reply(Buffer.alloc(1025)));
    const { escaped, destroyed } = await capturingUncaught(() =>
      failure(client().call(url, TRANSPORT, REQUEST, 2_000)),
    );
    expect(destroyed).toBeGreaterThan(0);
    expect(escaped).toEqual([]);
  });

  it('accepts a declared length exactly at payload_max_bytes', async () => {
    const padded = Buffer.concat([REPLY, Buffer.alloc(1024 - REPLY.byteLength)]);
    const { url } = await service(reply(padded));
    // Zero bytes past the reply are not a valid field, so the limit passes and decoding fails.
    expect((await failure(client().call(url, TRANSPORT, REQUEST, 2_000))).code).toBe(
      'ERR_INVOKE_MALFORMED_REPLY',
    );
  });

  it('stops reading an undeclared body once it passes payload_max_bytes (ERR_INVOKE_RESPONSE_TOO_LARGE)', async () => {
    const { url } = await service((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(600));
      res.write(Buffer.alloc(600));
      // Never ends: the client must give up by size, not wait for the end.
    });
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 10_000));
    expect(err.code).toBe('ERR_INVOKE_RESPONSE_TOO_LARGE');
  });

  it('gives up when no answer arrives within the timeout (ERR_INVOKE_TRANSPORT)', async () => {
    const { url } = await service(() => undefined);
    const started = Date.now();
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 200));
    expect(err.code).toBe('ERR_INVOKE_TRANSPORT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up when the body stalls past the timeout (ERR_INVOKE_TRANSPORT)', async () => {
    const { url } = await service((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100' });
      res.write(Buffer.alloc(10));
    });
    const err = await failure(client().call(url, TRANSPORT, REQUEST, 200));
    expect(err.code).toBe('ERR_INVOKE_TRANSPORT');
    expect(err.message).toContain('reading the reply');
  });

  it('reports a refused connection (ERR_INVOKE_TRANSPORT)', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const err = await failure(client().call(new URL(`http://127.0.0.1:${port}/`), TRANSPORT, REQUEST, 2_000));
    expect(err.code).toBe('ERR_INVOKE_TRANSPORT');
    expect(err.status).toBeUndefined();
  });

  it('reports TLS files it cannot read (ERR_INVOKE_TLS_FILES)', async () => {
    const tls = { trustCaCertsPath: join(tmpdir(), `missing-${process.pid}-${Date.now()}.pem`) };
    const err = await failure(
      client().call(new URL('https://127.0.0.1:1/'), { ...TRANSPORT, tls }, REQUEST, 2_000),
    );
    expect(err.code).toBe('ERR_INVOKE_TLS_FILES');
    expect(err.message).toContain('trust_cacerts');
  });
});

describe('FunctionClient.abortInFlight', () => {
  it('fails the calls in flight at once, and later calls connect again', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let hold = true;
    const { url } = await service((req, body, res) => {
      if (hold) arrived();
      else reply(REPLY)(req, body, res);
    });
    const c = client();
    const inFlight = failure(c.call(url, TRANSPORT, REQUEST, 30_000));
    await arrival;
    const started = Date.now();
    c.abortInFlight();
    expect((await inFlight).code).toBe('ERR_INVOKE_TRANSPORT');
    expect(Date.now() - started).toBeLessThan(5_000);
    hold = false;
    expect((await c.call(url, TRANSPORT, REQUEST, 2_000)).responseBytes).toBe(REPLY.byteLength);
  });
});
