/**
 * Verifies the signature a Statehouse runtime puts on its calls (header `statehouse-signature`; the format is in
 * `@statehouse/protocol` and docs/security.md). Web Crypto only, so it runs wherever the Fetch handler runs
 * (Node 20+, Workers, Deno, Bun). A refusal is a {@link RequestError} answered with 401.
 */
import {
  callSignatureBase,
  parseCallSignature,
  type CallSignature,
  type CallSignatureAlgorithm,
} from '@statehouse/protocol';
import { DefinitionError, RequestError, describeError, describeValue } from './errors.js';

/** Which calls a handler accepts: those signed by one of these keys, recently. */
export interface SignatureOptions {
  /**
   * The keys that may sign calls: Ed25519 public keys as PEM (`-----BEGIN PUBLIC KEY-----`), or HMAC-SHA256
   * secrets (at least 32 characters). Give two while rotating keys: calls signed by either are accepted.
   */
  readonly keys: readonly string[];
  /**
   * How far a signature's timestamp may be from this handler's clock, either way, ms: older calls (replays)
   * are refused. @default 300000 (5 minutes)
   */
  readonly maxAgeMs?: number;
  /** The clock the timestamps are checked against, Unix ms. @default Date.now */
  readonly now?: () => number;
}

/** What a transport adapter reads from a request for its signature to be checked. */
export interface CallInfo {
  /** The HTTP method. */
  readonly method: string;
  /** The request target as received: path and query, e.g. `/statefun`. */
  readonly path: string;
  /** The `statehouse-signature` header, if any. */
  readonly signature: string | null | undefined;
}

/** Checks the signatures of calls. */
export interface CallVerifier {
  /**
   * @param call - method, path and signature header; `undefined` when the transport gives none.
   * @param body - the request body as received.
   * @returns the refusal (401), or `undefined` when the call is signed by a known key, recently.
   */
  verify(call: CallInfo | undefined, body: Uint8Array): Promise<RequestError | undefined>;
}

/** The default of {@link SignatureOptions.maxAgeMs}. */
export const DEFAULT_SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

const MIN_SECRET_LENGTH = 32;
/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

interface RawKey {
  readonly algorithm: CallSignatureAlgorithm;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

interface VerifyKey {
  readonly algorithm: CallSignatureAlgorithm;
  readonly keyId: string;
  readonly key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
}

function invalidOption(message: string): DefinitionError {
  return new DefinitionError('ERR_SDK_INVALID_OPTIONS', `Invalid signature option: ${message}`);
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads one configured key, without quoting it in errors. @throws {@link DefinitionError} */
function rawKeyOf(text: unknown, index: number): RawKey {
  if (typeof text !== 'string')
    throw invalidOption(`keys[${index}] is ${describeValue(typeof text)}, expected a string`);
  const trimmed = text.trim();
  if (!trimmed.startsWith('-----BEGIN')) {
    if (trimmed.length < MIN_SECRET_LENGTH || /\s/u.test(trimmed))
      throw invalidOption(
        `keys[${index}] is neither a PEM public key nor an HMAC secret of at least ${MIN_SECRET_LENGTH} characters without whitespace`,
      );
    return { algorithm: 'hmac-sha256', bytes: new TextEncoder().encode(trimmed) };
  }
  if (!trimmed.startsWith('-----BEGIN PUBLIC KEY-----'))
    throw invalidOption(
      `keys[${index}] is a PEM block but not a public key: give the function the public key only ` +
        '(openssl pkey -in signing.pem -pubout), never the private key',
    );
  let der: Uint8Array;
  try {
    der = base64Bytes(trimmed.replace(/-----[^-]+-----|\s/gu, ''));
  } catch {
    throw invalidOption(`keys[${index}] is a PEM block whose content is not base64`);
  }
  if (der.length !== 44 || ED25519_SPKI_PREFIX.some((b, i) => der[i] !== b))
    throw invalidOption(`keys[${index}] is a public key, but not an Ed25519 one`);
  return { algorithm: 'ed25519', bytes: der.slice(12) };
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function importKey({ algorithm, bytes }: RawKey): Promise<VerifyKey> {
  const keyId = hex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 16);
  const key =
    algorithm === 'ed25519'
      ? await crypto.subtle.importKey('raw', bytes, { name: 'Ed25519' }, false, ['verify'])
      : await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return { algorithm, keyId, key };
}

function refuse(
  code: 'ERR_SDK_SIGNATURE_MISSING' | 'ERR_SDK_SIGNATURE_INVALID' | 'ERR_SDK_SIGNATURE_STALE',
  message: string,
): RequestError {
  return new RequestError(code, 401, message);
}

/** The signature header of a call, parsed and recent enough; or why not. */
function recentSignature(
  call: CallInfo | undefined,
  maxAgeMs: number,
  nowMs: number,
): CallSignature | RequestError {
  const header = call?.signature;
  if (header === null || header === undefined)
    return refuse(
      'ERR_SDK_SIGNATURE_MISSING',
      'The call is not signed: this handler only accepts calls with a statehouse-signature header. Give the runtime the signing key (statehouse run --signing-key FILE).',
    );
  const parsed = parseCallSignature(header);
  if (parsed === undefined)
    return refuse(
      'ERR_SDK_SIGNATURE_INVALID',
      'The statehouse-signature header is malformed: expected t=<unix ms>,kid=<16 hex digits>,<ed25519|hmac-sha256>=<base64>.',
    );
  const skewMs = nowMs - parsed.timestampMs;
  if (Math.abs(skewMs) <= maxAgeMs) return parsed;
  return refuse(
    'ERR_SDK_SIGNATURE_STALE',
    `The call was signed ${Math.round(skewMs / 1000)} s ${skewMs >= 0 ? 'ago' : 'in the future'}, outside the replay window of ${maxAgeMs / 1000} s: a replayed call, or clocks apart. Synchronize the clocks (NTP), or raise signature.maxAgeMs.`,
  );
}

/** Checks a recent signature against the keys with its id. */
async function matchSignature(
  call: CallInfo,
  parsed: CallSignature,
  keys: readonly VerifyKey[],
  body: Uint8Array,
): Promise<RequestError | undefined> {
  const candidates = keys.filter((k) => k.keyId === parsed.keyId && k.algorithm === parsed.algorithm);
  if (candidates.length === 0)
    return refuse(
      'ERR_SDK_SIGNATURE_INVALID',
      `The call is signed by key ${parsed.keyId} (${parsed.algorithm}), which this handler does not know (it knows ${keys.map((k) => k.keyId).join(', ')}): add that key's public key to signature.keys.`,
    );
  const digest = hex(await crypto.subtle.digest('SHA-256', body));
  const base = new TextEncoder().encode(
    callSignatureBase(call.method, call.path, parsed.timestampMs, digest),
  );
  const signature = base64Bytes(parsed.signature);
  for (const { key, algorithm } of candidates) {
    const name = algorithm === 'ed25519' ? 'Ed25519' : 'HMAC';
    if (await crypto.subtle.verify(name, key, signature, base)) return undefined;
  }
  return refuse(
    'ERR_SDK_SIGNATURE_INVALID',
    `The signature of key ${parsed.keyId} does not match this call: its body, path (${call.path}) or method changed on the way, or another key with that id signed it.`,
  );
}

/**
 * Creates the verifier of a handler's `signature` option.
 *
 * @param options - the keys, the replay window and the clock.
 * @returns the verifier.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_OPTIONS` for no keys, a key that is neither an Ed25519 public
 *   key nor a long enough secret, or an invalid `maxAgeMs` (keys are never quoted).
 */
export function createCallVerifier(options: SignatureOptions): CallVerifier {
  if (!Array.isArray(options.keys) || options.keys.length === 0)
    throw invalidOption('keys must list at least one public key or secret');
  const raw = options.keys.map((key, i) => rawKeyOf(key, i));
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SIGNATURE_MAX_AGE_MS;
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs <= 0)
    throw invalidOption(`maxAgeMs ${describeValue(maxAgeMs)}: expected a positive whole number of ms`);
  const now = options.now ?? Date.now;
  // Imported on first use: Web Crypto is asynchronous, and a handler is created synchronously.
  let keys: Promise<VerifyKey[]> | undefined;

  const verify = async (call: CallInfo | undefined, body: Uint8Array): Promise<RequestError | undefined> => {
    const parsed = recentSignature(call, maxAgeMs, now());
    if (parsed instanceof RequestError || call === undefined) return parsed as RequestError;
    try {
      keys ??= Promise.all(raw.map(importKey));
      return await matchSignature(call, parsed, await keys, body);
    } catch (error) {
      // A platform without Ed25519 in Web Crypto, or a signature of a length no key makes.
      return refuse(
        'ERR_SDK_SIGNATURE_INVALID',
        `The signature could not be verified: ${describeError(error)}.`,
      );
    }
  };
  return Object.freeze({ verify });
}
