/** The local function URL: the event shape AWS sends a Lambda (payload format 2.0), and the reply written back. */
import { afterEach, describe, expect, it } from 'vitest';
import type { LambdaHttpEvent, LambdaHttpResult } from '@statehouse/sdk';
import { toFunctionUrlEvent } from '../src/function-url-event.js';
import { startFunctionUrlServer, type FunctionUrlServer } from '../src/function-url-server.js';
import { handler } from '../src/lambda.js';

describe('toFunctionUrlEvent', () => {
  it('builds a payload format 2.0 event, binary bodies in base64', () => {
    const event = toFunctionUrlEvent(
      {
        method: 'post',
        url: '/statefun/cart?a=1&a=2&b=x',
        headers: { 'content-type': 'application/octet-stream', 'x-many': ['1', '2'], cookie: 'c=1; d=2' },
        httpVersion: '1.1',
        sourceIp: '127.0.0.1',
        body: Buffer.from([0, 1, 2, 255]),
      },
      new Date(Date.UTC(2026, 11, 6, 15, 4, 5)),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/statefun/cart',
      rawQueryString: 'a=1&a=2&b=x',
      headers: { 'content-type': 'application/octet-stream', 'x-many': '1,2' },
      cookies: ['c=1', 'd=2'],
      queryStringParameters: { a: '1,2', b: 'x' },
      requestContext: {
        http: { method: 'POST', path: '/statefun/cart', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        routeKey: '$default',
        stage: '$default',
        time: '06/Dec/2026:15:04:05 +0000',
      },
      body: 'AAEC/w==',
      isBase64Encoded: true,
    });
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('passes text bodies as text, and leaves the body out when there is none', () => {
    const base = { method: 'GET', url: '/', httpVersion: '1.1', sourceIp: '::1' };
    const text = toFunctionUrlEvent({
      ...base,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"a":1}'),
    });
    expect(text).toMatchObject({ body: '{"a":1}', isBase64Encoded: false, rawQueryString: '' });
    const empty = toFunctionUrlEvent({ ...base, headers: {}, body: Buffer.alloc(0) });
    expect(empty).not.toHaveProperty('body');
    expect(empty.isBase64Encoded).toBe(false);
    expect(empty).not.toHaveProperty('queryStringParameters');
  });
});

describe('startFunctionUrlServer', () => {
  let server: FunctionUrlServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hands the handler the event and writes its base64 result back as bytes', async () => {
    const events: LambdaHttpEvent[] = [];
    server = await startFunctionUrlServer((event): Promise<LambdaHttpResult> => {
      events.push(event);
      return Promise.resolve({
        statusCode: 200,
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Buffer.from([9, 8, 7]).toString('base64'),
        isBase64Encoded: true,
      });
    });
    const res = await fetch(`${server.url}statefun`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([9, 8, 7]);
    expect(events).toMatchObject([
      { version: '2.0', rawPath: '/statefun', body: 'AQID', isBase64Encoded: true },
    ]);
    expect(server.invocations).toBe(1);
  });

  it('answers 502 when the handler throws, and passes the error on', async () => {
    const errors: unknown[] = [];
    server = await startFunctionUrlServer(() => Promise.reject(new Error('boom')), {
      onError: (e) => errors.push(e),
    });
    const res = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(502);
    expect(errors).toHaveLength(1);
    expect(server.failures).toBe(1);
  });

  it('serves the Lambda handler of src/lambda.ts: it refuses anything but POST', async () => {
    server = await startFunctionUrlServer(handler);
    const res = await fetch(server.url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
