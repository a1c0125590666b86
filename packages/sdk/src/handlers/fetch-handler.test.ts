import { describe, expect, test } from 'vitest';
import { greeter, greeterTarget } from '../../test/support/functions.js';
import { decodeResponse, encodeRequest } from '../../test/support/wire.js';
import { StringType } from '../types/well-known-types.js';
import { createFetchHandler } from './fetch-handler.js';

const handler = createFetchHandler([greeter], { maxRequestBytes: 1024 });
const request = (name: string): Uint8Array =>
  encodeRequest({
    target: greeterTarget,
    state: { seen: undefined },
    invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize(name) } }],
  });
const post = (body: Uint8Array | ReadableStream<Uint8Array> | null, init: RequestInit = {}): Request =>
  new Request('https://functions.example.com/statefun', { method: 'POST', body, ...init });

describe('createFetchHandler', () => {
  test('answers 200 octet-stream with the FromFunction', async () => {
    const response = await handler(post(request('Kim')));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const body = new Uint8Array(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(decodeResponse(body).egress).toHaveLength(1);
  });

  test('reads a streamed body', async () => {
    const bytes = request('Kim');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 5));
        controller.enqueue(bytes.subarray(5));
        controller.close();
      },
    });
    const response = await handler(post(stream, { duplex: 'half' }));
    expect(response.status).toBe(200);
  });

  test('answers 400 for an empty body and 500 for a throwing function', async () => {
    const empty = await handler(post(null));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'ERR_SDK_INVALID_REQUEST' });
    const failed = await handler(post(request('fail')));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ code: 'ERR_SDK_FUNCTION_FAILED', retryable: true });
  });

  test('answers 405 for GET and 413 past the limit', async () => {
    expect((await handler(new Request('https://functions.example.com/'))).status).toBe(405);
    expect((await handler(post(new Uint8Array(2048)))).status).toBe(413);
  });
});
