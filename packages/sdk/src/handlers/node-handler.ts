/** The node:http adapter of the core request handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatefulFunction } from '../define-function.js';
import { createRequestHandler, type HandlerOptions, type SdkResponse } from '../request-handler.js';
import { CALL_SIGNATURE_HEADER } from '@statehouse/protocol';
import { answerStreamed } from './streamed-request.js';

/** A `node:http` request listener. */
export type NodeRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function send(response: ServerResponse, answer: SdkResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/**
 * Creates a `node:http` request listener serving functions. Any path is accepted: the function is found by
 * the request's target type.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - body limit, error hook and the keys that sign calls.
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

  // A body that cannot be read (the client went away, the stream broke) rejects: nobody is left to answer.
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'unknown';
    const signature = request.headers[CALL_SIGNATURE_HEADER];
    const { answer, isBodyUnread } = await answerStreamed(core, {
      method,
      contentLength: request.headers['content-length'],
      chunks: request,
      traceparent: headerText(request.headers.traceparent),
      call: {
        method,
        path: request.url ?? '/',
        signature: typeof signature === 'string' ? signature : undefined,
      },
    });
    if (isBodyUnread) request.resume();
    send(response, answer);
  };

  return (request, response) => {
    serve(request, response).catch(() => response.destroy());
  };
}
