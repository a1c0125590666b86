/** The node:http adapter of the core request handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatefulFunction } from '../define-function.js';
import {
  createRequestHandler,
  methodNotAllowed,
  tooLarge,
  type HandlerOptions,
  type SdkResponse,
} from '../request-handler.js';
import { BodyTooLargeError, isDeclaredTooLarge, readBody } from './read-body.js';

/** A `node:http` request listener. */
export type NodeRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

function send(response: ServerResponse, answer: SdkResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/**
 * Creates a `node:http` request listener serving functions. Any path is accepted: the function is found by
 * the request's target type.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - body limit and error hook.
 * @returns the listener, for `http.createServer(listener)` or frameworks that take one.
 * @throws {@link DefinitionError} for duplicate or invalid functions and invalid options.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(createNodeHandler([cart, inventory])).listen(8000);
 * ```
 */
export function createNodeHandler(
  functions: readonly StatefulFunction[],
  options: HandlerOptions = {},
): NodeRequestListener {
  const core = createRequestHandler(functions, options);
  const limit = core.options.maxRequestBytes;

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST') {
      request.resume();
      send(response, core.reject(methodNotAllowed(request.method ?? 'unknown')));
      return;
    }
    if (isDeclaredTooLarge(request.headers['content-length'], limit)) {
      request.resume();
      send(response, core.reject(tooLarge(limit)));
      return;
    }
    let body: Uint8Array;
    try {
      body = await readBody(request, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        // The client went away or the stream broke: there is nobody to answer.
        response.destroy();
        return;
      }
      request.resume();
      send(response, core.reject(tooLarge(limit)));
      return;
    }
    send(response, await core.handle(body));
  };

  return (request, response) => {
    serve(request, response).catch(() => response.destroy());
  };
}
