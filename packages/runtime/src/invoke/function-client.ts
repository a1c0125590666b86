/**
 * One HTTP round trip to a function service: POST the encoded `ToFunction`, return the decoded
 * `FromFunction`. Retries live in `retry-policy.ts`; this file only performs and classifies one attempt.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Pool, type Dispatcher } from 'undici';
import { CALL_SIGNATURE_HEADER, FromFunction, TRACEPARENT_HEADER } from '@statehouse/protocol';
import { InvocationError } from '../errors.js';
import type { CallSigner } from './call-signer.js';

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
  readonly #sign: ((path: string, body: Uint8Array) => string) | undefined;

  /** @param signing - the key calls are signed with (a signature per attempt, timed by `now`), if any. */
  constructor(signing?: { readonly signer: CallSigner; readonly now: () => number }) {
    this.#sign = signing && ((path, body) => signing.signer.sign('POST', path, body, signing.now()));
  }

  /**
   * Performs one attempt.
   *
   * @param url - the function's resolved URL.
   * @param transport - pool and size settings of the endpoint (the first call to an origin sizes its pool).
   * @param body - the encoded `ToFunction`.
   * @param timeoutMs - deadline of this attempt.
   * @param socketPath - Unix domain socket to connect to (`http+unix` endpoints).
   * @param traceparent - the invocation span's W3C `traceparent`, sent as the `traceparent` header (tracing on).
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
    traceparent?: string,
  ): Promise<AttemptResult> {
    const pool = this.#poolFor(url, transport, socketPath);
    // One async frame per call, awaiting inside `try`; the reply is collected by a plain handler (see
    // ReplyCollector), so no stream, async resource or body promise is made for every call.
    let response: CollectedResponse;
    try {
      response = await send(pool, url, body, timeoutMs, transport.payloadMaxBytes, this.#sign, traceparent);
    } catch (err) {
      if (err instanceof InvocationError) throw err; // refused for its size
      throw err instanceof ReplyReadError ? readError(url, err.cause) : transportError(url, err);
    }
    return decodeReply(response, url);
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

/** Response headers by lower-case name (a repeated header as an array), as undici parses them. */
type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

/** A reply, read whole: its status, headers and body. */
interface CollectedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Reading a reply failed after its headers arrived (the caller reports it with {@link readError}). */
class ReplyReadError extends Error {
  constructor(cause: unknown) {
    super('reading the reply failed', { cause });
  }
}

/**
 * POSTs the encoded `ToFunction` and reads the whole reply. Fails with the transport's error before the reply's
 * headers arrived, with a {@link ReplyReadError} after, and with `ERR_INVOKE_RESPONSE_TOO_LARGE` when the reply
 * is larger than `payloadMaxBytes`.
 */
function send(
  pool: Pool,
  url: URL,
  body: Uint8Array,
  timeoutMs: number,
  payloadMaxBytes: number,
  sign: ((path: string, body: Uint8Array) => string) | undefined,
  traceparent: string | undefined,
): Promise<CollectedResponse> {
  const path = url.pathname + url.search;
  const headers: Record<string, string> = {
    'content-type': OCTET_STREAM,
    accept: OCTET_STREAM,
    'accept-encoding': 'gzip, deflate',
    'content-length': String(body.byteLength),
    'user-agent': 'statehouse',
  };
  if (sign !== undefined) headers[CALL_SIGNATURE_HEADER] = sign(path, body);
  // W3C Trace Context (tracing on): our SDK continues the trace, official StateFun SDKs ignore it.
  if (traceparent !== undefined) headers[TRACEPARENT_HEADER] = traceparent;
  return new Promise((resolve, reject) => {
    pool.dispatch(
      {
        method: 'POST',
        path,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // Deliberately no AbortSignal per request (a listener per call costs); abortInFlight() destroys the
        // pools instead.
      },
      new ReplyCollector(url, payloadMaxBytes, resolve, reject),
    );
  });
}

/**
 * Collects one reply in memory. `Pool.request` would wrap each reply in a readable stream and an async resource,
 * and reading the body would take more promises: this runs for every batch, and a reply is read whole anyway.
 */
class ReplyCollector implements Dispatcher.DispatchHandler {
  readonly #url: URL;
  readonly #payloadMaxBytes: number;
  readonly #resolve: (response: CollectedResponse) => void;
  readonly #reject: (err: unknown) => void;
  #statusCode = 0;
  #headers: IncomingHttpHeaders | undefined;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #done = false;

  constructor(
    url: URL,
    payloadMaxBytes: number,
    resolve: (response: CollectedResponse) => void,
    reject: (err: unknown) => void,
  ) {
    this.#url = url;
    this.#payloadMaxBytes = payloadMaxBytes;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  // Present so that undici takes this for a handler of its current interface (it has nothing to do here).
  onRequestStart(): void {}

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational (1xx): the reply follows
    this.#statusCode = statusCode;
    this.#headers = headers;
    const declared = Number(headers['content-length'] ?? 0);
    // Not `declared <= payloadMaxBytes`: a length that is not a number is no reason to refuse the reply.
    if (declared > this.#payloadMaxBytes) {
      this.#fail(
        controller,
        new InvocationError(
          'ERR_INVOKE_RESPONSE_TOO_LARGE',
          `${this.#url.href} answered ${declared} bytes, over payload_max_bytes (${this.#payloadMaxBytes}); raise transport.payload_max_bytes or return less state`,
        ),
      );
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return;
    this.#size += chunk.byteLength;
    if (this.#size > this.#payloadMaxBytes) {
      this.#fail(
        controller,
        new InvocationError(
          'ERR_INVOKE_RESPONSE_TOO_LARGE',
          `${this.#url.href} answered more than payload_max_bytes (${this.#payloadMaxBytes}); raise transport.payload_max_bytes or return less state`,
        ),
      );
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#done) return;
    this.#done = true;
    // Only informational answers came (undici ends a reply after its final headers): nothing to decode.
    if (this.#headers === undefined) {
      this.#reject(new Error('the reply ended without a final status'));
      return;
    }
    this.#resolve({
      statusCode: this.#statusCode,
      headers: this.#headers,
      body: joinChunks(this.#chunks, this.#size),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(this.#headers === undefined ? err : new ReplyReadError(err));
  }

  /** Stops reading (the connection is closed, like a destroyed body) and fails the call with `err`. */
  #fail(controller: Dispatcher.DispatchController, err: InvocationError): void {
    this.#done = true;
    this.#reject(err);
    controller.abort(err);
  }
}

/**
 * The body as one buffer of its own (as undici's `arrayBuffer()` copied it): the decoded reply's values are
 * views into it and live on in the state cache, so it must share no memory with the socket's reads nor with
 * Node's pool of small buffers. Not zero-filled: every byte is copied over.
 */
function joinChunks(chunks: readonly Buffer[], size: number): Buffer {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(out, at);
  return out;
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
function decodeReply(response: CollectedResponse, url: URL): AttemptResult {
  const { statusCode: status, body: raw } = response;
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
