/**
 * Request ids and the API's request log. Every request gets an id: the caller's `x-request-id` when it is a
 * plausible one, else one made here (this process's random prefix and a counter: unique per process lifetime,
 * no randomness per request). The id is echoed in the response's `x-request-id` header and carried by every log
 * line about the request; at `debug` level each request also gets one `request served` line when it ends.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** The header a request id comes in and goes back out in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids callers may choose: up to 128 characters that need no escaping in a log or a header. */
const CALLER_ID = /^[\w.:@+=/-]{1,128}$/u;
const PREFIX = randomBytes(4).toString('hex');
let made = 0;

/**
 * The id of a request, and sets it on the response.
 *
 * @param req - the request; its `x-request-id` is kept when it is 1-128 characters of letters, digits and `_.:@+=/-`.
 * @param res - gets the id in its `x-request-id` header.
 * @returns the id.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  made += 1;
  const id = typeof given === 'string' && CALLER_ID.test(given) ? given : `${PREFIX}-${made.toString(36)}`;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * At `debug` level, logs one `request served` line per request when its response ends: `requestId`, `method`,
 * `path` (without the query), `status` and `ms`. Costs one level check per request otherwise.
 *
 * @param log - the API's logger.
 * @param req - the request.
 * @param res - its response.
 * @param requestId - from {@link assignRequestId}.
 */
export function logWhenServed(
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): void {
  if (!log.isLevelEnabled('debug')) return;
  const startedAt = performance.now();
  res.once('close', () => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    log.debug(
      {
        requestId,
        method: req.method,
        path: q < 0 ? url : url.slice(0, q),
        status: res.statusCode,
        ms: Math.round((performance.now() - startedAt) * 10) / 10,
      },
      'request served',
    );
  });
}
