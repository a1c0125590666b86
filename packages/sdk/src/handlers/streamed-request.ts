/** What the streaming adapters (Fetch, node:http) share: the checks before and while a body is read. */
import { methodNotAllowed, tooLarge, type RequestHandler, type SdkResponse } from '../request-handler.js';
import type { CallInfo } from '../call-verifier.js';
import { BodyTooLargeError, isDeclaredTooLarge, readBody } from './read-body.js';

/** A request as a streaming adapter sees it. */
export interface StreamedRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The `Content-Length` header, if any. */
  readonly contentLength: string | null | undefined;
  /** The body's chunks; read only when the method and the declared length pass. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The W3C `traceparent` header, if any. */
  readonly traceparent?: string | null | undefined;
  /** Path and signature header, for the `signature` option. */
  readonly call: CallInfo;
}

/** The answer to a streamed request. */
export interface StreamedAnswer {
  readonly answer: SdkResponse;
  /** Whether the body was refused before it was read to the end (node:http drains it to reuse the socket). */
  readonly isBodyUnread: boolean;
}

/**
 * Answers a streamed request: refuses another method than POST and a body over the limit (declared in
 * `Content-Length` or found while reading) without running a function, and hands the rest to the core.
 *
 * @param core - the core request handler.
 * @param request - method, declared length and body.
 * @returns the answer, and whether the body is left unread.
 * @throws whatever reading the body throws, except that it is too large.
 */
export async function answerStreamed(
  core: RequestHandler,
  request: StreamedRequest,
): Promise<StreamedAnswer> {
  const limit = core.options.maxRequestBytes;
  if (request.method !== 'POST') {
    return { answer: core.reject(methodNotAllowed(request.method)), isBodyUnread: true };
  }
  if (isDeclaredTooLarge(request.contentLength, limit)) {
    return { answer: core.reject(tooLarge(limit)), isBodyUnread: true };
  }
  let body: Uint8Array;
  try {
    body = await readBody(request.chunks, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return { answer: core.reject(tooLarge(limit)), isBodyUnread: true };
    throw error;
  }
  return {
    answer: await core.handle(body, request.call, { traceparent: request.traceparent }),
    isBodyUnread: false,
  };
}
