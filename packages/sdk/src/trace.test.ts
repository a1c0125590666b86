import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { encodeRequest } from '../test/support/wire.js';
import type { InvocationTrace } from './trace.js';
import { traceOf } from './trace.js';
import { defineFunction } from './define-function.js';
import { createFetchHandler } from './handlers/fetch-handler.js';
import { createLambdaHandler } from './handlers/lambda-handler.js';
import { createNodeHandler } from './handlers/node-handler.js';
import { createRequestHandler } from './request-handler.js';
import { StringType } from './types/well-known-types.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const EXPECTED: InvocationTrace = {
  traceparent: TRACEPARENT,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
  isSampled: true,
};

/** A function that records the trace each invocation saw. */
function recorder(): { seen: (InvocationTrace | undefined)[]; fn: ReturnType<typeof defineFunction> } {
  const seen: (InvocationTrace | undefined)[] = [];
  const fn = defineFunction({
    type: 'example/traced',
    state: {},
    handle(ctx) {
      seen.push(ctx.trace);
    },
  });
  return { seen, fn };
}

const body = encodeRequest({
  target: { namespace: 'example', name: 'traced', id: 'a' },
  state: {},
  invocations: [
    { argument: { typename: StringType.typename, bytes: StringType.serialize('one') } },
    { argument: { typename: StringType.typename, bytes: StringType.serialize('two') } },
  ],
});

describe('ctx.trace', () => {
  test('parses a traceparent, and gives undefined for none or an invalid one', () => {
    expect(traceOf(TRACEPARENT)).toEqual(EXPECTED);
    expect(traceOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.isSampled).toBe(false);
    expect(traceOf(undefined)).toBeUndefined();
    expect(traceOf(null)).toBeUndefined();
    expect(traceOf('not-a-traceparent')).toBeUndefined();
  });

  test('the core handler hands the traceparent to every invocation of the batch; none without it', async () => {
    const { seen, fn } = recorder();
    const core = createRequestHandler([fn]);
    expect((await core.handle(body, undefined, { traceparent: TRACEPARENT })).status).toBe(200);
    expect((await core.handle(body)).status).toBe(200);
    expect(seen).toEqual([EXPECTED, EXPECTED, undefined, undefined]);
  });

  test('the node:http handler reads the traceparent header', async () => {
    const { seen, fn } = recorder();
    const server = createServer(createNodeHandler([fn]));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/statefun`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', traceparent: TRACEPARENT },
        body,
      });
      expect(response.status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen).toEqual([EXPECTED, EXPECTED]);
  });

  test('the Fetch and Lambda handlers read the traceparent header', async () => {
    const { seen, fn } = recorder();
    const fetchHandler = createFetchHandler([fn]);
    const request = new Request('http://localhost/statefun', {
      method: 'POST',
      headers: { traceparent: TRACEPARENT },
      body,
    });
    expect((await fetchHandler(request)).status).toBe(200);
    const lambda = createLambdaHandler([fn]);
    const result = await lambda({
      httpMethod: 'POST',
      headers: { Traceparent: TRACEPARENT },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(200);
    expect(seen).toEqual([EXPECTED, EXPECTED, EXPECTED, EXPECTED]);
  });
});
