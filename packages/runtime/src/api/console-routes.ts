/**
 * The console's routes on the API server: its files under `/console/` (open, like `/healthz`: the page holds no
 * data; its API calls carry the token) and its JSON routes, `GET /v1/overview`, `/v1/flow`, `/v1/cluster`,
 * `/v1/info`, `/v1/addresses/{namespace}/{name}/{id}` (read scope) and
 * `POST /v1/stalled/{namespace}/{name}/{id}/retry` and `…/dead-letter` (admin scope).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import type { ConsoleAssets } from './console-assets.js';
import type { ConsoleBackend } from './console-backend.js';
import { decodeSegments, methodNotAllowed, sendJson } from './http-io.js';

/** The request as the server has split it. */
export interface RouteRequest {
  readonly method: string;
  readonly pathname: string;
  readonly parts: readonly string[];
}

/** Whether a path is one of the console's files (open without a token). */
export function isConsolePage(pathname: string): boolean {
  return pathname === '/console' || pathname.startsWith('/console/');
}

/** Whether a path is a console action (admin scope). */
export function isConsoleAction(pathname: string): boolean {
  return pathname.startsWith('/v1/stalled/');
}

/** Serves the console's files and routes. @returns whether the request was one of them. */
export async function serveConsole(
  deps: { readonly backend: ConsoleBackend; readonly assets: ConsoleAssets },
  req: IncomingMessage,
  res: ServerResponse,
  { method, pathname, parts }: RouteRequest,
): Promise<boolean> {
  const { backend } = deps;
  if (isConsolePage(pathname)) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET');
    return deps.assets.serve(req, res, pathname);
  }
  if (parts[0] !== 'v1') return false;
  if (parts[1] === 'stalled' && parts.length === 6 && (parts[5] === 'retry' || parts[5] === 'dead-letter')) {
    if (method !== 'POST') throw methodNotAllowed(method, 'POST');
    const [ns, name, id] = decodeSegments(parts.slice(2, 5));
    const address = { type: `${ns}/${name}`, id: id! };
    const outcome = parts[5] === 'retry' ? backend.retryNow(address) : backend.moveToDeadLetters(address);
    if (outcome === undefined)
      throw new ApiError(
        404,
        'ERR_API_NOT_STALLED',
        `address ${ns}/${name}/${id} is not stalled in this process; see GET /v1/stalled`,
      );
    sendJson(res, 202, { status: outcome });
    return true;
  }
  const answer = await read(backend, parts);
  if (answer === undefined) return false;
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET');
  sendJson(res, 200, answer);
  return true;
}

function read(backend: ConsoleBackend, parts: readonly string[]): Promise<unknown> | undefined {
  if (parts.length === 2) {
    switch (parts[1]) {
      case 'overview':
        return backend.overview();
      case 'flow':
        return backend.flow();
      case 'cluster':
        return backend.cluster();
      case 'info':
        return Promise.resolve(backend.info());
    }
  }
  if (parts[1] === 'addresses' && parts.length === 5) {
    const [ns, name, id] = decodeSegments(parts.slice(2));
    if (ns === '' || name === '')
      throw new ApiError(
        400,
        'ERR_API_MALFORMED_PATH',
        'the address must be /v1/addresses/{namespace}/{name}/{id}',
      );
    return backend.address({ type: `${ns}/${name}`, id: id! });
  }
  return undefined;
}
