/**
 * Signs the runtime's calls to functions (docs/security.md, "Signed function calls"; the format is in
 * `@statehouse/protocol`'s `call-signature.ts`). The key is held as a `KeyObject` only: inspecting or logging
 * the signer, the resolved options or an error never shows key material.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { callSignatureBase, formatCallSignature, type CallSignatureAlgorithm } from '@statehouse/protocol';
import { ConfigError } from '../errors.js';

/** The shortest HMAC secret accepted, characters: shorter ones can be guessed from a captured signature. */
export const MIN_HMAC_SECRET_LENGTH = 32;

/** Signs calls with one key: an Ed25519 private key or an HMAC-SHA256 secret. */
export class CallSigner {
  /** The key id sent in every signature (not secret: derived from the public key or a digest of the secret). */
  readonly keyId: string;
  readonly algorithm: CallSignatureAlgorithm;
  readonly #key: KeyObject;

  constructor(key: KeyObject) {
    if (key.type === 'secret') {
      this.algorithm = 'hmac-sha256';
      this.keyId = keyIdOf(key.export());
    } else if (key.type === 'private' && key.asymmetricKeyType === 'ed25519') {
      this.algorithm = 'ed25519';
      // The raw public key is the last 32 bytes of its SPKI encoding.
      this.keyId = keyIdOf(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32));
    } else {
      throw new ConfigError(
        'ERR_CONFIG_INVALID_OPTION',
        `runtime option callSigningKey: expected an Ed25519 private key or an HMAC secret, got a ${key.type} ${key.asymmetricKeyType ?? ''} key`,
        { option: 'callSigningKey' },
      );
    }
    this.#key = key;
  }

  /**
   * The signature header of one request: computed once per attempt, over the body as it is (no copy).
   *
   * @param method - the HTTP method.
   * @param path - the request target: path and query.
   * @param body - the request body.
   * @param nowMs - the current time, Unix ms.
   * @returns the value of the `statehouse-signature` header.
   */
  sign(method: string, path: string, body: Uint8Array, nowMs: number): string {
    const digest = createHash('sha256').update(body).digest('hex');
    const base = callSignatureBase(method, path, nowMs, digest);
    const signature =
      this.algorithm === 'ed25519'
        ? sign(null, Buffer.from(base, 'utf8'), this.#key).toString('base64')
        : createHmac('sha256', this.#key).update(base, 'utf8').digest('base64');
    return formatCallSignature({
      timestampMs: nowMs,
      keyId: this.keyId,
      algorithm: this.algorithm,
      signature,
    });
  }
}

/** The key id of raw key bytes: the first 16 hex digits of their SHA-256. */
function keyIdOf(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/**
 * Builds the signer of the `callSigningKey` option.
 *
 * @param key - a PEM Ed25519 private key (PKCS#8, `-----BEGIN PRIVATE KEY-----`), an HMAC-SHA256 secret of at
 *   least {@link MIN_HMAC_SECRET_LENGTH} characters, or a `KeyObject` of either.
 * @returns the signer.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` (option `callSigningKey`), never quoting the key.
 */
export function createCallSigner(key: string | KeyObject): CallSigner {
  if (typeof key !== 'string') return new CallSigner(key);
  const text = key.trim();
  if (text.startsWith('-----BEGIN')) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(text);
    } catch {
      // The parser's message is not passed on: it may quote the text.
      throw invalidKey('a PEM block that is not a private key (give the PKCS#8 Ed25519 private key)');
    }
    return new CallSigner(privateKey);
  }
  if (text.length < MIN_HMAC_SECRET_LENGTH || /\s/u.test(text)) {
    throw invalidKey(
      `a secret of ${text.length} characters (an HMAC secret needs at least ${MIN_HMAC_SECRET_LENGTH}, without whitespace; an Ed25519 key starts with -----BEGIN PRIVATE KEY-----)`,
    );
  }
  return new CallSigner(createSecretKey(Buffer.from(text, 'utf8')));
}

function invalidKey(seen: string): ConfigError {
  return new ConfigError(
    'ERR_CONFIG_INVALID_OPTION',
    `runtime option callSigningKey: got ${seen}; generate one with \`openssl genpkey -algorithm ed25519\` (see docs/security.md)`,
    { option: 'callSigningKey' },
  );
}
