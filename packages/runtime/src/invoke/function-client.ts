/**
 * One HTTP round trip to a function service: POST the encoded `ToFunction`, return the decoded
 * `FromFunction`. Retries live in `retry-policy.ts`; this file only performs and classifies one attempt.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Pool, type Dispatcher } from 'undici';
import { FromFunction } from '@statehouse/protocol';
import { InvocationError } from '../errors.js';

/** Settings of the connection pool to one function service origin. */
export interface FunctionClientOptions {
  /** Connect timeout per attempt, ms. */
  readonly connectMs: number;
  /** Maximum connections to the origin. */
  readonly poolSize: number;
  /** Keep-alive lifetime of an idle connection, ms; ≤ 0 keeps connections without a limit. */
  readonly poolTtlMs: number;
  /** Largest accepted response body, bytes. */
  readonly payloadMaxBytes: number;
  /** TLS files for `https` endpoints: a CA bundle to trust, a client certificate and key (mTLS). */
  readonly tls?: {
    readonly trustCaCertsPath?: string;
    readonly clientCertPath?: string;
    readonly clientKeyPath?: string;
    readonly clientKeyPasswordPath?: string;
  };
}

/** Reads the TLS files of an endpoint into undici connect options (once per pool). */
function tlsOptions(tls: FunctionClientOptions['tls']): Record<string, string | Buffer> {
  if (tls === undefined) return {};
  const out: Record<string, string | Buffer> = {};
  if (tls.trustCaCertsPath !== undefined) out['ca'] = readFileSync(tls.trustCaCertsPath);
  if (tls.clientCertPath !== undefined) out['cert'] = readFileSync(tls.clientCertPath);
  if (tls.clientKeyPath !== undefined) out['key'] = readFileSync(tls.clientKeyPath);
  if (tls.clientKeyPasswordPath !== undefined)
    out['passphrase'] = readFileSync(tls.clientKeyPasswordPath, 'utf8').trim();
  return out;
}

/** The result of one successful attempt. */
export interface AttemptResult {
  readonly reply: FromFunction;
  /** Size of the response body, bytes. */
  readonly responseBytes: number;
}

const OCTET_STREAM = 'application/octet-stream';
const UNLIMITED_KEEP_ALIVE_MS = 10 * 60 * 1000;

/** Sends request-reply calls to the function services, one undici Pool per origin. */
export class FunctionClient {
  readonly #pools = new Map<string, Pool>();

  /**
   * Performs one attempt.
   *
   * @param url - the function's resolved URL.
   * @param transport - pool and size settings of the endpoint (the first call to an origin sizes its pool).
   * @param body - the encoded `ToFunction`.
   * @param timeoutMs - deadline of this attempt.
   * @param socketPath - Unix domain socket to connect to (`http+unix` endpoints).
   * @returns the decoded reply.
   * @throws {@link InvocationError} on a transport error, timeout, non-2xx status, oversized or
   *   unparsable body.
   */
  async call(
    url: URL,
    transport: FunctionClientOptions,
    body: Uint8Array,
    timeoutMs: number,
    socketPath?: string,
  ): Promise<AttemptResult> {
    const pool = this.#poolFor(url, transport, socketPath);
    // One async frame per call, awaiting inside `try` (this runs for every batch: a helper's `.then` or
    // `.catch`, or another async frame, would each add promises to every call).
    let response: Dispatcher.ResponseData;
    try {
      response = await send(pool, url, body, timeoutMs);
    } catch (err) {
      throw transportError(url, err);
    }
    rejectTooLarge(response, url, transport.payloadMaxBytes);
    let raw: Buffer;
    try {
      // With a known, acceptable length, consume the body in one go (no async iterator per response).
      raw =
        response.headers['content-length'] !== undefined
          ? Buffer.from(await response.body.arrayBuffer())
          : await readChunks(response.body, url, transport.payloadMaxBytes);
    } catch (err) {
      throw readError(url, err);
    }
    return decodeReply(response, raw, url);
  }

  /** Fails every request in flight (shutdown, reset); later calls open new connections. */
  abortInFlight(): void {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    for (const p of pools) p.destroy().catch(() => undefined);
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }

  /** The pool of the endpoint's origin. @throws {@link InvocationError} when its TLS files cannot be read. */
  #poolFor(url: URL, transport: FunctionClientOptions, socketPath: string | undefined): Pool {
    try {
      return this.#pool(url.origin, transport, socketPath);
    } catch (err) {
      throw new InvocationError(
        'ERR_INVOKE_TLS_FILES',
        `cannot read the TLS files of the endpoint for ${url.origin}: ${(err as Error).message}; check transport.trust_cacerts, client_cert, client_key and client_key_password in module.yaml`,
        { cause: err },
      );
    }
  }

  #pool(origin: string, options: FunctionClientOptions, socketPath: string | undefined): Pool {
    const key = socketPath === undefined ? origin : `${socketPath}\u0000${origin}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      // pool_ttl ≤ 0 means "no lifetime limit" in StateFun; undici needs a positive keep-alive.
      const ttl = options.poolTtlMs > 0 ? options.poolTtlMs : UNLIMITED_KEEP_ALIVE_MS;
      pool = new Pool(origin, {
        connections: options.poolSize,
        connect: { timeout: options.connectMs, ...tlsOptions(options.tls) },
        ...(socketPath === undefined ? {} : { socketPath }),
        keepAliveTimeout: ttl,
        keepAliveMaxTimeout: ttl,
        pipelining: 1,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }
}

/** POSTs the encoded `ToFunction`; the caller maps a failure with {@link transportError}. */
function send(pool: Pool, url: URL, body: Uint8Array, timeoutMs: number): Promise<Dispatcher.ResponseData> {
  return pool.request({
    method: 'POST',
    path: url.pathname + url.search,
    headers: {
      'content-type': OCTET_STREAM,
      accept: OCTET_STREAM,
      'accept-encoding': 'gzip, deflate',
      'content-length': String(body.byteLength),
      'user-agent': 'statehouse',
    },
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // Deliberately no AbortSignal per request (a listener per call costs); abortInFlight() destroys the
    // pools instead.
  });
}

function transportError(url: URL, err: unknown): InvocationError {
  return new InvocationError(
    'ERR_INVOKE_TRANSPORT',
    `calling ${url.href} failed: ${(err as Error).message}`,
    {
      cause: err,
    },
  );
}

/**
 * Refuses a response that declares more than `payloadMaxBytes` (its body is discarded).
 *
 * @throws {@link InvocationError} `ERR_INVOKE_RESPONSE_TOO_LARGE`
 */
function rejectTooLarge(response: Dispatcher.ResponseData, url: URL, payloadMaxBytes: number): void {
  const declared = Number(response.headers['content-length'] ?? 0);
  // Not `declared <= payloadMaxBytes`: a length that is not a number is no reason to refuse the reply.
  if (!(declared > payloadMaxBytes)) return;
  // Destroying the body makes it emit an abort error: listen, or it ends the process as unhandled.
  response.body.on('error', () => undefined);
  response.body.destroy();
  throw new InvocationError(
    'ERR_INVOKE_RESPONSE_TOO_LARGE',
    `${url.href} answered ${declared} bytes, over payload_max_bytes (${payloadMaxBytes}); raise transport.payload_max_bytes or return less state`,
  );
}

/** A failure while reading a reply's body, as the API reports it. */
function readError(url: URL, err: unknown): InvocationError {
  if (err instanceof InvocationError) return err;
  return new InvocationError(
    'ERR_INVOKE_TRANSPORT',
    `reading the reply of ${url.href} failed: ${(err as Error).message}`,
    { cause: err },
  );
}

/**
 * Classifies a read response: its status, content type and encoding, then its `FromFunction`.
 *
 * @throws {@link InvocationError} on a non-2xx status, another content type or encoding, or unparsable bytes.
 */
function decodeReply(response: Dispatcher.ResponseData, raw: Buffer, url: URL): AttemptResult {
  const status = response.statusCode;
  if (status < 200 || status > 299) {
    throw new InvocationError(
      'ERR_INVOKE_HTTP_STATUS',
      `${url.href} answered HTTP ${status}${describeErrorBody(raw)}`,
      { status },
    );
  }
  const contentType = headerValue(response.headers['content-type']);
  // Lenient like the reference's Netty client: parameters are ignored and a missing header is accepted
  // (the Go SDK relies on content sniffing and may omit it).
  if (contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() !== OCTET_STREAM) {
    throw new InvocationError(
      'ERR_INVOKE_CONTENT_TYPE',
      `${url.href} answered Content-Type "${contentType}"; a StateFun function must answer ${OCTET_STREAM}`,
      { status },
    );
  }
  const bytes = decodeContent(raw, headerValue(response.headers['content-encoding']), url);
  try {
    return { reply: FromFunction.decode(bytes), responseBytes: bytes.byteLength };
  } catch (err) {
    throw new InvocationError(
      'ERR_INVOKE_MALFORMED_REPLY',
      `${url.href} answered ${bytes.byteLength} bytes that are not a FromFunction message: ${(err as Error).message}`,
      { cause: err, status },
    );
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodeContent(raw: Buffer, encoding: string | undefined, url: URL): Uint8Array {
  const enc = encoding?.trim().toLowerCase();
  if (enc === undefined || enc === '' || enc === 'identity') return raw;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(raw);
    if (enc === 'deflate') return inflateSync(raw);
  } catch (err) {
    throw new InvocationError('ERR_INVOKE_MALFORMED_REPLY', `${url.href} answered a corrupt ${enc} body`, {
      cause: err,
    });
  }
  throw new InvocationError(
    'ERR_INVOKE_CONTENT_ENCODING',
    `${url.href} answered Content-Encoding "${encoding}"; only gzip and deflate are supported`,
  );
}

/** A short, single-line excerpt of an error body (SDKs answer 500 with JSON, text or nothing). */
function describeErrorBody(raw: Buffer): string {
  if (raw.byteLength === 0) return ' with an empty body';
  const text = raw.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ').trim();
  return `: ${text}${raw.byteLength > 300 ? '…' : ''}`;
}

async function readChunks(
  body: AsyncIterable<Buffer> & { destroy(): void },
  url: URL,
  payloadMaxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > payloadMaxBytes) {
      body.destroy();
      throw new InvocationError(
        'ERR_INVOKE_RESPONSE_TOO_LARGE',
        `${url.href} answered more than payload_max_bytes (${payloadMaxBytes}); raise transport.payload_max_bytes or return less state`,
      );
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
