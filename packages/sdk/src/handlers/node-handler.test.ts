import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { greeter, greeterTarget } from '../../test/support/functions.js';
import { decodeResponse, encodeRequest } from '../../test/support/wire.js';
import { StringType } from '../types/well-known-types.js';
import { serve, type FunctionServer } from './serve.js';

const hello = encodeRequest({
  target: greeterTarget,
  state: { seen: undefined },
  invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize('Kim') } }],
});
const failing = encodeRequest({
  target: greeterTarget,
  state: { seen: undefined },
  invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize('fail') } }],
});

let server: FunctionServer;
beforeAll(async () => {
  server = await serve([greeter], { port: 0, maxRequestBytes: 1024 });
});
afterAll(async () => {
  await server.close();
});

const post = (body: Uint8Array, path = '/statefun'): Promise<Response> =>
  fetch(new URL(path, server.url), {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/octet-stream' },
  });

describe('serve / createNodeHandler over real HTTP', () => {
  test('binds 127.0.0.1 on a free port', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  test('answers 200 octet-stream with Content-Length, on any path', async () => {
    for (const path of ['/', '/statefun', '/functions/greeter']) {
      const response = await post(hello, path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      const body = new Uint8Array(await response.arrayBuffer());
      expect(response.headers.get('content-length')).toBe(String(body.length));
      const plain = decodeResponse(body);
      expect(plain.egress[0]?.argument?.typename).toBe(StringType.typename);
      expect(plain.mutations.map((m) => m.name)).toEqual(['seen']);
    }
  });

  test('answers an incomplete context first', async () => {
    const response = await post(
      encodeRequest({
        target: greeterTarget,
        invocations: [{ argument: { typename: 'x/y', bytes: new Uint8Array() } }],
      }),
    );
    expect(decodeResponse(new Uint8Array(await response.arrayBuffer())).kind).toBe('incomplete');
  });

  test('answers 400 JSON for a body that is not a ToFunction', async () => {
    const response = await post(new TextEncoder().encode('not protobuf!'));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({ code: 'ERR_SDK_INVALID_REQUEST' });
  });

  test('answers 500 JSON when the function throws', async () => {
    const response = await post(failing);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      code: 'ERR_SDK_FUNCTION_FAILED',
      message: expect.stringContaining('cannot greet "fail"') as string,
      retryable: true,
    });
  });

  test('answers 405 to other methods', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ code: 'ERR_SDK_METHOD_NOT_ALLOWED' });
  });

  test('answers 413 past maxRequestBytes, by Content-Length or while streaming', async () => {
    const big = new Uint8Array(2048);
    expect((await post(big)).status).toBe(413);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      // Chunked, no Content-Length: the limit is found while reading.
      const req = httpRequest(
        server.url,
        { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.write(big.subarray(0, 1000));
      req.end(big.subarray(1000));
    });
    expect(status).toBe(413);
  });

  test('keeps serving after errors', async () => {
    expect((await post(hello)).status).toBe(200);
  });
});

describe('serve options', () => {
  test('rejects an invalid port', async () => {
    await expect(serve([greeter], { port: 70_000 })).rejects.toMatchObject({
      code: 'ERR_SDK_INVALID_OPTIONS',
    });
  });

  test('rejects when the port is taken', async () => {
    await expect(serve([greeter], { port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
