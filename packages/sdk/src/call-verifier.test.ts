/**
 * Signed calls as each handler (node:http over real HTTP, Fetch, Lambda events with base64 bodies) sees them.
 * The signatures are made here from the documented format with node:crypto, as another runtime would, not
 * with the runtime's signer: the runtime's signer meets these handlers in the runtime's integration test.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callSignatureBase, formatCallSignature } from '@statehouse/protocol';
import { greeter, greeterTarget } from '../test/support/functions.js';
import { encodeRequest } from '../test/support/wire.js';
import { DEFAULT_SIGNATURE_MAX_AGE_MS } from './call-verifier.js';
import { createFetchHandler } from './handlers/fetch-handler.js';
import { createLambdaHandler } from './handlers/lambda-handler.js';
import { serve, type FunctionServer } from './handlers/serve.js';
import { StringType } from './types/well-known-types.js';
import { DefinitionError } from './errors.js';
import type { HandlerOptions } from './request-handler.js';

const body = encodeRequest({
  target: greeterTarget,
  state: { seen: undefined },
  invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize('Kim') } }],
});

function ed25519(): { privateKey: KeyObject; pem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    privateKey,
    pem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
  };
}

const current = ed25519();
const previous = ed25519();
const stranger = ed25519();
const SECRET = 'hmac-secret-3f9a0c2e7b1d4e6f8a9b0c1d2e3f4a5b';

interface SignOptions {
  readonly key?: ReturnType<typeof ed25519>;
  readonly hmac?: string;
  readonly t?: number;
  readonly path?: string;
  readonly signedBody?: Uint8Array;
}

/** A signature header over POST `path` and `signedBody`, by the documented format. */
function signatureOf({
  key = current,
  hmac,
  t = Date.now(),
  path = '/statefun',
  signedBody = body,
}: SignOptions) {
  const digest = createHash('sha256').update(signedBody).digest('hex');
  const base = callSignatureBase('POST', path, t, digest);
  if (hmac !== undefined) {
    const keyId = createHash('sha256').update(hmac).digest('hex').slice(0, 16);
    const signature = createHmac('sha256', hmac).update(base).digest('base64');
    return formatCallSignature({ timestampMs: t, keyId, algorithm: 'hmac-sha256', signature });
  }
  const signature = sign(null, Buffer.from(base), key.privateKey).toString('base64');
  return formatCallSignature({ timestampMs: t, keyId: key.keyId, algorithm: 'ed25519', signature });
}

const options: HandlerOptions = { signature: { keys: [current.pem, previous.pem, SECRET] } };
const tampered = Uint8Array.from(body); // not body.slice(): a Buffer's slice shares its memory
tampered[tampered.length - 1] = tampered.at(-1)! ^ 1;

/** Each refused case: the header (or none) and the body sent, and the code answered. */
const refusals: [string, string | undefined, Uint8Array, string][] = [
  ['no signature', undefined, body, 'ERR_SDK_SIGNATURE_MISSING'],
  ['a malformed header', 't=1,kid=x,ed25519=', body, 'ERR_SDK_SIGNATURE_INVALID'],
  ['a tampered body', signatureOf({}), tampered, 'ERR_SDK_SIGNATURE_INVALID'],
  ['another path', signatureOf({ path: '/other' }), body, 'ERR_SDK_SIGNATURE_INVALID'],
  ['an unknown key', signatureOf({ key: stranger }), body, 'ERR_SDK_SIGNATURE_INVALID'],
  ['a wrong HMAC secret', signatureOf({ hmac: `${SECRET}x` }), body, 'ERR_SDK_SIGNATURE_INVALID'],
  [
    'an old timestamp',
    signatureOf({ t: Date.now() - DEFAULT_SIGNATURE_MAX_AGE_MS - 1000 }),
    body,
    'ERR_SDK_SIGNATURE_STALE',
  ],
  [
    'a future timestamp',
    signatureOf({ t: Date.now() + DEFAULT_SIGNATURE_MAX_AGE_MS + 1000 }),
    body,
    'ERR_SDK_SIGNATURE_STALE',
  ],
];
/** Accepted: the current key, the previous one (rotation), the HMAC secret. */
const accepted: [string, string][] = [
  ['the current key', signatureOf({})],
  ['the previous key (rotation)', signatureOf({ key: previous })],
  ['the HMAC secret', signatureOf({ hmac: SECRET })],
];

describe('node:http handler', () => {
  let server: FunctionServer;
  beforeAll(async () => {
    server = await serve([greeter], { port: 0, ...options });
  });
  afterAll(() => server.close());
  const post = (header: string | undefined, sent: Uint8Array) =>
    fetch(new URL('/statefun', server.url), {
      method: 'POST',
      body: sent,
      headers: header === undefined ? {} : { 'statehouse-signature': header },
    });

  test.each(accepted)('accepts a call signed with %s', async (_name, header) => {
    expect((await post(header, body)).status).toBe(200);
  });
  test.each(refusals)('answers 401 for %s', async (_name, header, sent, code) => {
    const response = await post(header, sent);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/u);
    expect(await response.json()).toMatchObject({ code });
  });
});

describe('Fetch handler', () => {
  const handler = createFetchHandler([greeter], options);
  const call = (header: string | undefined, sent: Uint8Array) =>
    handler(
      new Request('https://fn.example/statefun', {
        method: 'POST',
        body: sent,
        headers: header === undefined ? {} : { 'Statehouse-Signature': header },
      }),
    );
  test.each(accepted)('accepts a call signed with %s', async (_name, header) => {
    expect((await call(header, body)).status).toBe(200);
  });
  test.each(refusals)('answers 401 for %s', async (_name, header, sent, code) => {
    const response = await call(header, sent);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code });
  });
});

describe('Lambda handler', () => {
  const handler = createLambdaHandler([greeter], options);
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  // A function URL / HTTP API v2 event, and a REST API v1 event whose header keeps its case.
  const v2 = (header: string | undefined, sent: Uint8Array) => ({
    version: '2.0',
    rawPath: '/statefun',
    rawQueryString: '',
    headers: header === undefined ? {} : { 'statehouse-signature': header },
    requestContext: { http: { method: 'POST', path: '/statefun' } },
    body: base64(sent),
    isBase64Encoded: true,
  });
  const v1 = (header: string | undefined, sent: Uint8Array) => ({
    path: '/statefun',
    httpMethod: 'POST',
    headers: header === undefined ? {} : { 'Statehouse-Signature': header },
    requestContext: { stage: 'prod', path: '/statefun' },
    body: base64(sent),
    isBase64Encoded: true,
  });
  test.each(accepted)('accepts a call signed with %s', async (_name, header) => {
    expect((await handler(v2(header, body))).statusCode).toBe(200);
    expect((await handler(v1(header, body))).statusCode).toBe(200);
  });
  test.each(refusals)('answers 401 for %s', async (_name, header, sent, code) => {
    for (const event of [v2(header, sent), v1(header, sent)]) {
      const result = await handler(event);
      expect(result).toMatchObject({ statusCode: 401, isBase64Encoded: false });
      expect(JSON.parse(result.body)).toMatchObject({ code });
    }
  });
  test('checks the query string of a v2 event', async () => {
    const header = signatureOf({ path: '/statefun?fn=greeter' });
    expect((await handler({ ...v2(header, body), rawQueryString: 'fn=greeter' })).statusCode).toBe(200);
    expect((await handler({ ...v2(header, body), rawQueryString: 'fn=other' })).statusCode).toBe(401);
  });
});

describe('the signature option', () => {
  test('takes the replay window and clock given', async () => {
    const t = Date.now();
    const handler = createFetchHandler([greeter], {
      signature: { keys: [current.pem], maxAgeMs: 1000, now: () => t + 2000 },
    });
    const response = await handler(
      new Request('http://x/statefun', {
        method: 'POST',
        body,
        headers: { 'statehouse-signature': signatureOf({ t }) },
      }),
    );
    expect(await response.json()).toMatchObject({ code: 'ERR_SDK_SIGNATURE_STALE' });
  });

  test.each([
    ['no keys', { keys: [] }],
    ['a short secret', { keys: ['short-secret-3f9a0c2e7b1d4e6f'] }],
    ['a private key', { keys: [current.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string] }],
    [
      'an RSA public key',
      {
        keys: [
          generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
            format: 'pem',
            type: 'spki',
          }) as string,
        ],
      },
    ],
    ['a zero replay window', { keys: [current.pem], maxAgeMs: 0 }],
  ])('refuses %s, without quoting the key', (_name, signature) => {
    let thrown: unknown;
    try {
      createFetchHandler([greeter], { signature });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DefinitionError);
    expect(thrown).toMatchObject({ code: 'ERR_SDK_INVALID_OPTIONS' });
    for (const key of signature.keys)
      expect((thrown as Error).message).not.toContain(key.trim().slice(-40, -10));
  });
});
