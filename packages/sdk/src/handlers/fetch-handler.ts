/** The Fetch API adapter of the core request handler (Cloudflare Workers, Deno, Bun, Node). */
import type { StatefulFunction } from '../define-function.js';
import {
  createRequestHandler,
  methodNotAllowed,
  tooLarge,
  type HandlerOptions,
  type SdkResponse,
} from '../request-handler.js';
import { BodyTooLargeError, chunksOf, isDeclaredTooLarge, readBody } from './read-body.js';

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
 * @param options - body limit and error hook.
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
  const limit = core.options.maxRequestBytes;
  return async (request) => {
    if (request.method !== 'POST') return toResponse(core.reject(methodNotAllowed(request.method)));
    if (isDeclaredTooLarge(request.headers.get('content-length'), limit))
      return toResponse(core.reject(tooLarge(limit)));
    let body: Uint8Array;
    try {
      body = request.body === null ? new Uint8Array(0) : await readBody(chunksOf(request.body), limit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return toResponse(core.reject(tooLarge(limit)));
      throw error;
    }
    return toResponse(await core.handle(body));
  };
}
