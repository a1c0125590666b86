/**
 * The runtime's call signatures: the documented format (checked here with node:crypto, as another SDK would
 * verify it), one signature per attempt sent by FunctionClient over the path and body it sends, and keys that
 * never show in errors, in the signer or in the resolved options.
 */
import { createHash, createHmac, generateKeyPairSync, verify } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { FromFunction, callSignatureBase, parseCallSignature } from '@statehouse/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { resolveRuntimeOptions } from '../runtime-options.js';
import type { ModuleConfig } from '../config/index.js';
import { createCallSigner } from './call-signer.js';
import { FunctionClient } from './function-client.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PEM = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const PEM_BODY = PEM.split('\n')[1]!;
const SECRET = 'hmac-secret-never-print-7c1e9a3f0b5d2e8a';
const BODY = new Uint8Array([10, 3, 1, 2, 3]);

const digestOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('createCallSigner', () => {
  it('signs with Ed25519 in the documented format, keyed by the public key', () => {
    const signer = createCallSigner(PEM);
    const header = signer.sign('POST', '/statefun?x=1', BODY, 1_733_500_000_000);
    const parsed = parseCallSignature(header)!;
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    expect(parsed).toMatchObject({
      timestampMs: 1_733_500_000_000,
      algorithm: 'ed25519',
      keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    });
    const base = `v1\nPOST\n/statefun?x=1\n1733500000000\n${digestOf(BODY)}`;
    expect(callSignatureBase('post', '/statefun?x=1', 1_733_500_000_000, digestOf(BODY))).toBe(base);
    expect(verify(null, Buffer.from(base), publicKey, Buffer.from(parsed.signature, 'base64'))).toBe(true);
  });

  it('signs with an HMAC-SHA256 secret', () => {
    const parsed = parseCallSignature(createCallSigner(SECRET).sign('POST', '/f', BODY, 5))!;
    const base = callSignatureBase('POST', '/f', 5, digestOf(BODY));
    expect(parsed.algorithm).toBe('hmac-sha256');
    expect(parsed.keyId).toBe(createHash('sha256').update(SECRET).digest('hex').slice(0, 16));
    expect(parsed.signature).toBe(createHmac('sha256', SECRET).update(base).digest('base64'));
  });

  it.each([
    ['a short secret', 'too-short-secret-never-print'],
    ['a damaged PEM', PEM.replace(PEM_BODY, PEM_BODY.slice(0, 20))],
    ['a public key', publicKey.export({ format: 'pem', type: 'spki' }) as string],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
        format: 'pem',
        type: 'pkcs8',
      }) as string,
    ],
  ])('refuses %s without quoting it', (_name, key) => {
    let thrown: unknown;
    try {
      createCallSigner(key);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'ERR_CONFIG_INVALID_OPTION', option: 'callSigningKey' });
    const lines = key.split('\n').filter((line) => line.length > 16 && !line.startsWith('-----'));
    for (const line of lines) expect(inspect(thrown)).not.toContain(line.slice(0, 16));
  });

  it('keeps the key out of the resolved options and their inspection', () => {
    for (const key of [PEM, SECRET]) {
      const resolved = resolveRuntimeOptions({ module: {} as ModuleConfig, callSigningKey: key });
      expect(resolved.callSigner?.keyId).toMatch(/^[0-9a-f]{16}$/u);
      const shown = inspect(resolved, { depth: 10, showHidden: true }) + JSON.stringify(resolved);
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(PEM_BODY.slice(0, 16));
    }
  });
});

describe('FunctionClient with a signer', () => {
  it('sends a fresh signature with each attempt over the path and body it sends', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(FromFunction.encode({ invocationResult: {} }).finish());
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    let now = 1_000;
    const client = new FunctionClient({ signer: createCallSigner(PEM), now: () => now });
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/statefun?fn=a`);
      const transport = { connectMs: 2_000, poolSize: 1, poolTtlMs: 0, payloadMaxBytes: 1024 };
      await client.call(url, transport, BODY, 2_000);
      now = 2_000;
      await client.call(url, transport, BODY, 2_000);
    } finally {
      await client.close();
      server.close();
    }
    expect(
      seen.map((s) => parseCallSignature(String(s.headers['statehouse-signature']))?.timestampMs),
    ).toEqual([1_000, 2_000]);
    for (const { url, headers, body } of seen) {
      const parsed = parseCallSignature(String(headers['statehouse-signature']))!;
      const base = callSignatureBase('POST', url, parsed.timestampMs, digestOf(body));
      expect(verify(null, Buffer.from(base), publicKey, Buffer.from(parsed.signature, 'base64'))).toBe(true);
    }
  });
});
