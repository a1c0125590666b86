import { describe, expect, test } from 'vitest';
import { greeter, greeterTarget } from '../../test/support/functions.js';
import { decodeResponse, encodeRequest } from '../../test/support/wire.js';
import { StringType } from '../types/well-known-types.js';
import { createLambdaHandler, type LambdaHttpEvent } from './lambda-handler.js';

const handler = createLambdaHandler([greeter]);
const body = Buffer.from(
  encodeRequest({
    target: greeterTarget,
    state: { seen: undefined },
    invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize('Kim') } }],
  }),
).toString('base64');

// Trimmed copies of real events: API Gateway REST (payload v1), HTTP API (payload v2), function URL.
const v1 = {
  resource: '/statefun',
  path: '/statefun',
  httpMethod: 'POST',
  headers: { 'Content-Type': 'application/octet-stream' },
  requestContext: { stage: 'prod', requestId: 'r1' },
  body,
  isBase64Encoded: true,
};
const v2 = {
  version: '2.0',
  routeKey: 'POST /statefun',
  rawPath: '/statefun',
  headers: { 'content-type': 'application/octet-stream' },
  requestContext: { http: { method: 'POST', path: '/statefun' } },
  body,
  isBase64Encoded: true,
};
const functionUrl = {
  ...v2,
  routeKey: '$default',
  requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'POST', path: '/' } },
};

describe('createLambdaHandler', () => {
  test.each([
    ['REST API v1', v1],
    ['HTTP API v2', v2],
    ['function URL', functionUrl],
  ])('answers a %s event with a base64 FromFunction', async (_name, event: LambdaHttpEvent) => {
    const result = await handler(event);
    expect(result).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    const plain = decodeResponse(Buffer.from(result.body, 'base64'));
    expect(plain.kind).toBe('result');
    expect(plain.egress).toHaveLength(1);
  });

  test('answers 400 JSON (not base64) for a body that is not a ToFunction', async () => {
    const result = await handler({ ...v2, body: 'hello', isBase64Encoded: false });
    expect(result.statusCode).toBe(400);
    expect(result.isBase64Encoded).toBe(false);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'ERR_SDK_INVALID_REQUEST' });
  });

  test('answers 400 for a missing body, 405 for GET, 500 for a throwing function', async () => {
    expect((await handler({ ...v1, body: null })).statusCode).toBe(400);
    expect(await handler({ ...v1, httpMethod: 'GET' })).toMatchObject({
      statusCode: 405,
      headers: { Allow: 'POST' },
    });
    const failing = Buffer.from(
      encodeRequest({
        target: greeterTarget,
        state: { seen: undefined },
        invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize('fail') } }],
      }),
    ).toString('base64');
    const result = await handler({ ...v2, body: failing });
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'ERR_SDK_FUNCTION_FAILED', retryable: true });
  });
});
