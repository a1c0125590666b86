/**
 * Who may call the HTTP API: bearer tokens, each with scopes — `ingress` (send messages, optionally only to some
 * function types), `read` (state, egress logs, stalled addresses, backlog, connectors) and `admin` (snapshots,
 * state export). `/healthz` and `/readyz` stay open; `/metrics` is open unless configured to need `read`.
 * Tokens are kept as SHA-256 digests and compared in constant time; a token never appears in a log or an error.
 * A token with a `rate` is limited by a token bucket: past it, requests answer 429 with `Retry-After`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import { ApiError } from '../errors.js';
import { parseRate, TokenBucket } from './token-bucket.js';

/** What a token may do. */
export type ApiScope = 'ingress' | 'read' | 'admin';

/** One token as configured. */
export interface ApiTokenConfig {
  /** A name for logs and errors (never the token). */
  readonly name: string;
  /** The token itself (at least 16 characters), or… */
  readonly token?: string;
  /** …its SHA-256 in hex, so that the file need not hold the token. */
  readonly sha256?: string;
  readonly scopes: readonly ApiScope[];
  /**
   * With `ingress`: the function types it may send to, `namespace/name` with `*` matching any characters (e.g.
   * `example/cart*`). @default every type
   */
  readonly functionTypes?: readonly string[];
  /** Requests this token may make, `<number>/<s|m|h>` (e.g. `100/s`), as a token bucket. @default unlimited */
  readonly rate?: string;
  /** Requests at once, the bucket's capacity (needs `rate`). @default the number of `rate` (100 for `100/s`) */
  readonly burst?: number;
}

/** The API's access rules. */
export interface ApiAuthConfig {
  readonly tokens: readonly ApiTokenConfig[];
  /** Whether `/metrics` needs a token with `read`. @default 'open' */
  readonly metrics?: 'open' | 'read';
}

/** What a request needs. */
export interface ApiAccess {
  readonly scope: ApiScope;
  /** For `ingress`: the target's function type. */
  readonly functionType?: string;
}

/** A request's authenticated token, for the checks that follow (e.g. the function type of an ingress path). */
export interface ApiCaller {
  readonly name: string;
}

interface KnownToken extends ApiCaller {
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<ApiScope>;
  readonly functionTypes: readonly RegExp[] | undefined;
  readonly bucket: TokenBucket | undefined;
}

function bucketOf(token: ApiTokenConfig, now: () => number): TokenBucket | undefined {
  const rate = token.rate === undefined ? undefined : parseRate(token.rate);
  if (rate === undefined) return undefined;
  return new TokenBucket(rate.perSecond, token.burst ?? Math.max(1, Math.ceil(rate.count)), now);
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** `example/cart*` → a regular expression matching the whole type. */
function patternOf(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/gu, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'u');
}

/** Checks requests against the configured tokens. */
export class ApiAuth {
  readonly #tokens: readonly KnownToken[];
  /** Whether `/metrics` needs `read`. */
  readonly isMetricsProtected: boolean;

  /**
   * @param config - the tokens (checked by the options' schema) and the metrics rule.
   * @param now - the clock of the rate limits, epoch milliseconds.
   */
  constructor(config: ApiAuthConfig, now: () => number = Date.now) {
    this.#tokens = config.tokens.map((t) => ({
      name: t.name,
      digest: t.sha256 !== undefined ? Buffer.from(t.sha256, 'hex') : digestOf(t.token!),
      scopes: new Set(t.scopes),
      functionTypes: t.functionTypes?.map(patternOf),
      bucket: bucketOf(t, now),
    }));
    this.isMetricsProtected = config.metrics === 'read';
  }

  /**
   * Checks a request's `authorization` header, and takes one request of the token's rate. Call it once per request.
   *
   * @param authorization - the header, if any.
   * @param access - what the request does.
   * @returns the caller, for {@link ApiAuth.checkFunctionType}.
   * @throws {@link ApiError} 401 `ERR_API_UNAUTHENTICATED` without a known bearer token, 429 `ERR_API_RATE_LIMITED`
   *   (with `Retry-After`) past the token's rate, 403 `ERR_API_FORBIDDEN` when the token lacks the scope or may not
   *   send to the function type.
   */
  check(authorization: string | undefined, access: ApiAccess): ApiCaller {
    const token = this.#find(authorization);
    if (token === undefined)
      throw new ApiError(
        401,
        'ERR_API_UNAUTHENTICATED',
        authorization === undefined || authorization === ''
          ? 'this API needs a token: send the header "authorization: Bearer <token>" with a token of its --api-tokens file (the statehouse CLI sends $STATEHOUSE_API_TOKEN)'
          : 'the token was not accepted: it is none of this API\'s tokens (--api-tokens file, STATEHOUSE_API_TOKEN); send "authorization: Bearer <token>" with one of them',
        { headers: { 'www-authenticate': 'Bearer realm="statehouse"' } },
      );
    const retryAfterSeconds = token.bucket?.take();
    if (retryAfterSeconds !== undefined)
      throw new ApiError(
        429,
        'ERR_API_RATE_LIMITED',
        `token "${token.name}" is over its rate; retry after ${retryAfterSeconds} s, or raise its rate or burst in the tokens file`,
        { retryAfterSeconds },
      );
    if (!token.scopes.has(access.scope))
      throw new ApiError(403, 'ERR_API_FORBIDDEN', `token "${token.name}" has no "${access.scope}" scope`);
    if (access.functionType !== undefined) this.checkFunctionType(token, access.functionType);
    return token;
  }

  /**
   * Checks that an ingress caller may send to a function type.
   *
   * @param caller - what {@link ApiAuth.check} returned for the request.
   * @param type - the target's function type.
   * @throws {@link ApiError} 403 `ERR_API_FORBIDDEN`
   */
  checkFunctionType(caller: ApiCaller, type: string): void {
    const token = caller as KnownToken;
    if (token.functionTypes !== undefined && !token.functionTypes.some((p) => p.test(type)))
      throw new ApiError(
        403,
        'ERR_API_FORBIDDEN',
        `token "${token.name}" may not send to function type ${type}`,
      );
  }

  /** The token whose digest matches; every token is compared, in constant time, whatever matches. */
  #find(authorization: string | undefined): KnownToken | undefined {
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? '');
    if (match === null) return undefined;
    const digest = digestOf(match[1]!);
    let found: KnownToken | undefined;
    for (const token of this.#tokens)
      if (timingSafeEqual(token.digest, digest) && found === undefined) found = token;
    return found;
  }
}
