/**
 * Sends bytes to an HTTP server as they are (a request any client library would refuse to send: bad request
 * lines, control characters, oversized or countless headers) and reads the answer until the server closes the
 * connection. For tests of what the API answers to malformed input.
 */
import { connect } from 'node:net';

/** What the server answered: `status` is `undefined` when it closed the connection without an answer. */
export interface RawAnswer {
  readonly status: number | undefined;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/**
 * Sends a raw request.
 *
 * @param url - the server, e.g. `http://127.0.0.1:8091`.
 * @param request - the request's bytes (send `connection: close`, or the server keeps the connection open).
 * @param timeoutMs - how long to wait for the server to close the connection.
 * @returns the parsed answer.
 */
export function rawHttp(url: string, request: Uint8Array | string, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that refuses early may reset the connection while the request is still being written.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve(parseAnswer(Buffer.concat(chunks)));
      else reject(err);
    });
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))));
    socket.end(request);
  });
}

function parseAnswer(all: Buffer): RawAnswer {
  let bytes = all;
  // Interim answers (`100 Continue` to `expect: 100-continue`) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /u.test(bytes.toString('latin1', 0, 13))) {
    const end = bytes.indexOf('\r\n\r\n');
    if (end < 0) break;
    bytes = bytes.subarray(end + 4);
  }
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/u.exec(text);
  if (match === null || end < 0) return { status: undefined, headers: new Map(), body: text };
  const headers = new Map<string, string>();
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = bytes.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  if (headers.get('transfer-encoding') === 'chunked') body = dechunk(body);
  return { status: Number(match[1]), headers, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
