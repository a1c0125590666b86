/**
 * The one rule for signed function calls (docs/security.md, ADR 0013): the header the runtime sends with every
 * request to a function when it has a signing key, and the string it signs. The runtime signs with node:crypto,
 * the SDK verifies with Web Crypto; both build the header and the signed string here, so they cannot drift.
 *
 * ```
 * Statehouse-Signature: t=<unix ms>,kid=<key id>,<ed25519|hmac-sha256>=<base64 signature>
 * signed string (UTF-8): "v1\n" + METHOD + "\n" + path?query + "\n" + t + "\n" + hex(SHA-256(body))
 * ```
 *
 * The key id is the first 16 lowercase hex digits of SHA-256 over the raw key: the 32 bytes of the Ed25519
 * public key, or the UTF-8 bytes of the HMAC secret.
 */

/** The request header (lower case, as Node and Fetch report it) that carries a call's signature. */
export const CALL_SIGNATURE_HEADER = 'statehouse-signature';

/** The algorithms a call signature is made with, as named in the header. */
export type CallSignatureAlgorithm = 'ed25519' | 'hmac-sha256';

/** A signature header's parts. */
export interface CallSignature {
  /** When the call was signed, Unix time in ms. */
  readonly timestampMs: number;
  /** The id of the signing key (see the module's header). */
  readonly keyId: string;
  /** How it was signed. */
  readonly algorithm: CallSignatureAlgorithm;
  /** The signature, base64 (standard alphabet, padded). */
  readonly signature: string;
}

/**
 * The string a call's signature is made over.
 *
 * @param method - the HTTP method, e.g. `POST`.
 * @param path - the request target as sent: path and query, e.g. `/statefun?x=1`.
 * @param timestampMs - the header's `t`.
 * @param bodySha256Hex - SHA-256 of the request body as sent, lowercase hex.
 * @returns the string to sign, to be encoded as UTF-8.
 */
export function callSignatureBase(
  method: string,
  path: string,
  timestampMs: number,
  bodySha256Hex: string,
): string {
  return `v1\n${method.toUpperCase()}\n${path}\n${timestampMs}\n${bodySha256Hex}`;
}

/**
 * Formats a signature header.
 *
 * @param parts - timestamp, key id, algorithm and signature.
 * @returns e.g. `t=1733500000000,kid=0123456789abcdef,ed25519=…`.
 */
export function formatCallSignature(parts: CallSignature): string {
  return `t=${parts.timestampMs},kid=${parts.keyId},${parts.algorithm}=${parts.signature}`;
}

const HEADER = /^t=(\d{1,16}),kid=([0-9a-f]{16}),(ed25519|hmac-sha256)=([A-Za-z0-9+/]+={0,2})$/u;

/**
 * Parses a signature header.
 *
 * @param header - the header's value.
 * @returns its parts, or `undefined` when it is not of the documented form.
 */
export function parseCallSignature(header: string): CallSignature | undefined {
  const match = HEADER.exec(header.trim());
  if (match === null) return undefined;
  return {
    timestampMs: Number(match[1]),
    keyId: match[2]!,
    algorithm: match[3] as CallSignatureAlgorithm,
    signature: match[4]!,
  };
}
