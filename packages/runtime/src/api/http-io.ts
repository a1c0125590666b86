/**
 * Request and response plumbing of the HTTP API on node:http: reading a body within a size limit, path
 * segments, headers and query parameters, and JSON answers. Malformed input becomes an {@link ApiError}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError } from '../errors.js';

/**
 * The answer to a method the route does not serve.
 *
 * @param method - the request's method.
 * @param allowed - the method the route serves (`GET` also allows `HEAD`).
 * @returns a 405 `ERR_API_METHOD_NOT_ALLOWED` error with its `allow` header.
 */
export function methodNotAllowed(method: string, allowed: string): ApiError {
  return new ApiError(405, 'ERR_API_METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed}`, {
    headers: { allow: allowed === 'GET' ? 'GET, HEAD' : allowed },
  });
}

/**
 * Percent-decodes path segments one by one, so an encoded "/" stays inside its segment.
 *
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_PATH` on an invalid percent-encoding.
 */
export function decodeSegments(parts: string[]): string[] {
  try {
    return parts.map((p) => (p.includes('%') ? decodeURIComponent(p) : p));
  } catch {
    throw new ApiError(400, 'ERR_API_MALFORMED_PATH', 'the path has an invalid percent-encoding');
  }
}

/** The first value of a request header, or `undefined` when it is absent. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A query parameter that must be an integer ≥ 0 (or any integer, with `allowNegative`).
 *
 * @returns its value, or `fallback` when it is absent.
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_QUERY` when it is not such an integer.
 */
export function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  allowNegative = false,
): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = (allowNegative ? /^-?\d+$/u : /^\d+$/u).test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_QUERY',
      `query parameter ${name}=${JSON.stringify(raw)} must be an integer${allowNegative ? '' : ' ≥ 0 (digits only)'}`,
    );
  }
  return n;
}

/**
 * Reads a request body of at most `limit` bytes. A larger body (declared or received) is drained, not kept.
 *
 * @returns the body's bytes.
 * @throws {@link ApiError} 413 `ERR_API_BODY_TOO_LARGE` past `limit`; the stream's error if it fails.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(declared, limit));
  }
  // Plain events rather than an async iterator: this runs for every ingress request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        req.resume();
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

function tooLarge(size: number, limit: number): ApiError {
  return new ApiError(
    413,
    'ERR_API_BODY_TOO_LARGE',
    `the body has ${size} bytes or more; the limit is ${limit} bytes (the runtime's maxIngressBytes option)`,
  );
}

/**
 * Answers with `body` as JSON.
 *
 * @param headers - further response headers.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Largest body of an admin request (a small JSON object). */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/**
 * The `to` of a snapshot request's JSON body `{"to": "<dir | s3://bucket/prefix>"}`.
 *
 * @throws {@link ApiError} 400 `ERR_API_MALFORMED_BODY`, 413 `ERR_API_BODY_TOO_LARGE`
 */
export async function snapshotTarget(req: IncomingMessage): Promise<string> {
  const body = Buffer.from(await readBody(req, MAX_ADMIN_BODY_BYTES)).toString('utf8');
  let to: unknown;
  try {
    to = (JSON.parse(body) as { to?: unknown } | null)?.to;
  } catch {
    to = undefined;
  }
  if (typeof to !== 'string' || to === '')
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_BODY',
      'the body must be JSON {"to": "<directory | s3://bucket/prefix>"} naming where the snapshot goes',
    );
  return to;
}
