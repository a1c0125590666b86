/** The Fetch API adapter of the core request handler (Cloudflare Workers, Deno, Bun, Node). */
import { CALL_SIGNATURE_HEADER } from '@statehouse/protocol';
import type { StatefulFunction } from '../define-function.js';
import { createRequestHandler, type HandlerOptions, type SdkResponse } from '../request-handler.js';
import { chunksOf } from './read-body.js';
import { answerStreamed } from './streamed-request.js';

/** A Fetch API handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

function toResponse(answer: SdkResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * Creates a Fetch API handler serving functions. Any path is accepted: the function is found by the
 * request's target type.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - body limit, error hook and the keys that sign calls.
 * @returns `(request) => Promise<Response>`.
 * @throws {@link DefinitionError} for duplicate or invalid functions and invalid options.
 * @example
 * ```ts
 * const handler = createFetchHandler([cart, inventory]);
 * export default { fetch: handler };            // Cloudflare Workers, Bun
 * Deno.serve(handler);                          // Deno
 * ```
 */
export function createFetchHandler(
  functions: readonly StatefulFunction[],
  options: HandlerOptions = {},
): FetchHandler {
  const core = createRequestHandler(functions, options);
  return async (request) => {
    const url = new URL(request.url);
    const { answer } = await answerStreamed(core, {
      method: request.method,
      contentLength: request.headers.get('content-length'),
      chunks: chunksOf(request.body),
      traceparent: request.headers.get('traceparent'),
      call: {
        method: request.method,
        path: url.pathname + url.search,
        signature: request.headers.get(CALL_SIGNATURE_HEADER),
      },
    });
    return toResponse(answer);
  };
}
