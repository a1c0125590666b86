/**
 * The dead-letter routes of the HTTP API: `GET /v1/dead-letters`, `GET /v1/dead-letters/{id}`,
 * `POST /v1/dead-letters/{id}/replay` and `POST /v1/dead-letters/{id}/discard` (the POSTs need the `admin` scope).
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import type { DeadLetterBackend } from './dead-letters.js';
import { intParam, methodNotAllowed, sendJson } from './http-io.js';

/** Dead letters answered at most, and by default. */
const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 100;

/** Whether a request to this path needs the `admin` scope (it changes dead letters). */
export function isDeadLetterAction(pathname: string, method: string): boolean {
  return pathname.startsWith('/v1/dead-letters/') && method !== 'GET' && method !== 'HEAD';
}

/**
 * Serves a request under `/v1/dead-letters`.
 *
 * @param parts - the path segments after `/v1/dead-letters`.
 * @throws {@link ApiError} 404 for an unknown dead letter or path, 405 for a wrong method, 400 for a bad id.
 */
export async function serveDeadLetters(
  backend: DeadLetterBackend,
  method: string,
  parts: readonly string[],
  query: string,
  res: ServerResponse,
): Promise<void> {
  const isRead = method === 'GET' || method === 'HEAD';
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
    if (!isRead) throw methodNotAllowed(method, 'GET');
    const limit = Math.min(intParam(new URLSearchParams(query), 'limit', DEFAULT_LIMIT), MAX_LIMIT);
    sendJson(res, 200, await backend.list(limit));
    return;
  }
  const id = deadLetterId(parts[0]!);
  if (parts.length === 1) {
    if (!isRead) throw methodNotAllowed(method, 'GET');
    sendJson(res, 200, await backend.show(id));
    return;
  }
  const action = parts[1];
  if (parts.length === 2 && (action === 'replay' || action === 'discard')) {
    if (method !== 'POST') throw methodNotAllowed(method, 'POST');
    sendJson(res, 200, action === 'replay' ? await backend.replay(id) : await backend.discard(id));
    return;
  }
  throw new ApiError(
    404,
    'ERR_API_NOT_FOUND',
    `no route for ${method} /v1/dead-letters/${parts.join('/')}; the actions are POST /v1/dead-letters/{id}/replay and /discard`,
  );
}

function deadLetterId(text: string): number {
  const id = /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : undefined;
  if (id === undefined) {
    throw new ApiError(
      400,
      'ERR_API_MALFORMED_PATH',
      `dead letter id ${JSON.stringify(text)} must be a positive integer (see GET /v1/dead-letters)`,
    );
  }
  return id;
}
