/**
 * The limits of the API listener that node:http enforces before a request reaches a route: the size of the
 * request head, the number of headers, open connections, and the answers to requests node's parser refuses
 * (which would otherwise get node's bare-text answers): every one is JSON `{"error": {"code", "message"}}` with a
 * code of docs/errors.md.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

import { ApiError, type ApiErrorCode } from '../errors.js';

/** Limits of the API (runtime options of the same names). */
export interface ApiLimits {
  /** Longest function id of an ingress path, UTF-8 bytes. */
  readonly maxIdBytes: number;
  /** Largest request head (request line and headers), bytes: node's `maxHeaderSize`. */
  readonly maxHeaderBytes: number;
  /** Most headers a request may have. */
  readonly maxHeaders: number;
  /** Open connections at most: node's `server.maxConnections`. */
  readonly maxConnections: number;
  /** Most records one egress read answers. */
  readonly maxEgressLimit: number;
  /** Longest long-poll wait of an egress read, ms. */
  readonly maxEgressWaitMs: number;
}

/** Node's own error codes of `clientError`s (not ours: they are never answered, only recognized). */
const NODE_HTTP_CODES = { requestTimeout: 'ERR_HTTP_REQUEST_TIMEOUT' } as const;

/** How often a dropped connection is logged at most, ms (a flood must not flood the log too). */
const DROP_LOG_INTERVAL_MS = 60_000;

/**
 * Applies the limits node enforces to a server, and answers what its parser refuses with documented codes.
 *
 * @param server - the API's HTTP or HTTPS server, created with `maxHeaderSize: limits.maxHeaderBytes`.
 * @param limits - the limits.
 * @param log - where dropped connections are reported.
 */
export function applyServerLimits(server: Server, limits: ApiLimits, log: Logger): void {
  // node's own maxHeadersCount (2000) is left alone: past it node drops headers silently, or answers a bare 400;
  // maxHeaders is at most 1000, so `checkHeaders` sees every request over it.
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let loggedAt = -Infinity;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - loggedAt < DROP_LOG_INTERVAL_MS) return;
    loggedAt = now;
    log.warn(
      { event: 'api.connection.dropped', dropped, maxConnections: limits.maxConnections },
      'API connections over the limit were closed (maxConnections, --max-connections)',
    );
  });
  server.on('clientError', answerClientError);
  // Without a listener node closes a CONNECT (a proxy tunnel request) with no answer.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    answerAndClose(socket, 405, 'ERR_API_METHOD_NOT_ALLOWED', 'CONNECT is not served: this is no proxy'),
  );
  // node answers an `expect` header other than 100-continue itself, with an empty 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({
      error: {
        code: 'ERR_API_EXPECTATION_FAILED',
        message: `expect: ${JSON.stringify(req.headers.expect)} is not supported; send no expect header, or expect: 100-continue`,
      },
    });
    res.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/**
 * Refuses an HTTP/1.1 request without a Host header, and one with more headers than allowed.
 *
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_REQUEST`, 431 `ERR_API_TOO_MANY_HEADERS`
 */
export function checkHeaders(req: IncomingMessage, maxHeaders: number): void {
  // node's own check of the Host header answers a bare 400; the server is made without it, so it is done here.
  if (req.headers.host === undefined && req.httpVersion === '1.1')
    throw new ApiError(400, 'ERR_API_MALFORMED_REQUEST', 'an HTTP/1.1 request needs a Host header');
  if (req.rawHeaders.length / 2 <= maxHeaders) return;
  throw new ApiError(
    431,
    'ERR_API_TOO_MANY_HEADERS',
    `the request has more than ${maxHeaders} headers; send fewer (the runtime's maxHeaders option, --max-headers)`,
  );
}

/** The status, code and message of a request node's parser refused. */
function refusalOf(err: NodeJS.ErrnoException): readonly [number, ApiErrorCode, string] {
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return [
      431,
      'ERR_API_HEADERS_TOO_LARGE',
      "the request line and headers are larger than the limit (the runtime's maxHeaderBytes option, --max-header-bytes)",
    ];
  if (err.code === NODE_HTTP_CODES.requestTimeout)
    return [408, 'ERR_API_REQUEST_TIMEOUT', 'the request was not received in time; send it again, faster'];
  return [
    400,
    'ERR_API_MALFORMED_REQUEST',
    `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`,
  ];
}

/** Answers a request node's parser refused, like node does, but with a JSON error. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The same test as node's own handler: no answer on a socket that is gone or already answering.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, code, message] = refusalOf(err);
  answerAndClose(socket, status, code, message);
}

/** Writes a JSON error on a raw socket and closes it. */
function answerAndClose(socket: Duplex, status: number, code: ApiErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
