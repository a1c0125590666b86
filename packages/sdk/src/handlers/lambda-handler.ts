/** The AWS Lambda adapter of the core request handler: API Gateway REST (v1), HTTP API (v2), function URLs. */
import { CALL_SIGNATURE_HEADER } from '@statehouse/protocol';
import type { CallInfo } from '../call-verifier.js';
import type { StatefulFunction } from '../define-function.js';
import {
  createRequestHandler,
  methodNotAllowed,
  type HandlerOptions,
  type SdkResponse,
} from '../request-handler.js';

/**
 * The parts of an API Gateway (REST v1, HTTP v2) or function URL event the handler reads. The full
 * `@types/aws-lambda` event types are assignable to it.
 */
export interface LambdaHttpEvent {
  /** `"2.0"` for HTTP API payload v2 and function URLs; `"1.0"` or absent for REST APIs. */
  readonly version?: string;
  /** The HTTP method (payload v1). */
  readonly httpMethod?: string;
  /** Request context; `http.method` is the HTTP method in payload v2 and function URLs. */
  readonly requestContext?: object;
  /** The body: base64 when `isBase64Encoded`, else text. */
  readonly body?: string | null;
  /** Whether `body` is base64. */
  readonly isBase64Encoded?: boolean;
  /** Request headers (lower case in payload v2, as sent in v1); read for the `signature` option and `traceparent`. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** The path as requested (payload v2 and function URLs). */
  readonly rawPath?: string;
  /** The query string without `?` (payload v2 and function URLs). */
  readonly rawQueryString?: string;
  /** The resource path (payload v1; `requestContext.path` has the stage too, and is preferred). */
  readonly path?: string | null;
}

/** What the handler answers; fits API Gateway (v1 and v2) and function URLs. */
export interface LambdaHttpResult {
  /** The HTTP status. */
  readonly statusCode: number;
  /** `Content-Type` (and `Allow` on 405). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `FromFunction` bytes in base64 (200), or the JSON error body. */
  readonly body: string;
  /** True for the binary 200 body. */
  readonly isBase64Encoded: boolean;
}

/** An AWS Lambda handler for HTTP events. */
export type LambdaHandler = (event: LambdaHttpEvent) => Promise<LambdaHttpResult>;

function methodOf(event: LambdaHttpEvent): string {
  const context = event.requestContext as { readonly http?: { readonly method?: unknown } } | undefined;
  const method = context?.http?.method ?? event.httpMethod;
  return typeof method === 'string' ? method : 'POST';
}

/** Method, path as the caller sent it, and signature header of an event. */
function callOf(event: LambdaHttpEvent, method: string): CallInfo {
  const context = event.requestContext as { readonly path?: unknown } | undefined;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const path =
    event.rawPath !== undefined
      ? event.rawPath + query
      : typeof context?.path === 'string'
        ? context.path
        : (event.path ?? '/');
  // Payload v1 keeps the header names as sent: look the header up whatever its case.
  const headers = event.headers ?? {};
  const name = Object.keys(headers).find((key) => key.toLowerCase() === CALL_SIGNATURE_HEADER);
  return { method, path, signature: name === undefined ? undefined : headers[name] };
}

function toResult(answer: SdkResponse): LambdaHttpResult {
  // API Gateway computes Content-Length of the decoded body itself; only the type is passed on.
  const contentType = answer.headers['Content-Type'] ?? 'application/octet-stream';
  const isBinary = answer.status === 200;
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (answer.headers['Allow'] !== undefined) headers['Allow'] = answer.headers['Allow'];
  return {
    statusCode: answer.status,
    headers,
    body: Buffer.from(answer.body).toString(isBinary ? 'base64' : 'utf8'),
    isBase64Encoded: isBinary,
  };
}

/** The `traceparent` header of an event, whatever the case of its name (REST APIs keep the client's). */
function traceparentOf(headers: LambdaHttpEvent['headers']): string | undefined {
  if (headers == null) return undefined;
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'traceparent');
  return name === undefined ? undefined : headers[name];
}

/**
 * Creates an AWS Lambda handler serving functions behind API Gateway (REST or HTTP API) or a function URL.
 * REST APIs must list `application/octet-stream` as a binary media type so the body arrives base64-encoded.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - body limit, error hook and the keys that sign calls.
 * @returns `(event) => Promise<result>`; export it as the Lambda's handler.
 * @throws {@link DefinitionError} for duplicate or invalid functions and invalid options.
 * @example
 * ```ts
 * export const handler = createLambdaHandler([cart, inventory]);
 * ```
 */
export function createLambdaHandler(
  functions: readonly StatefulFunction[],
  options: HandlerOptions = {},
): LambdaHandler {
  const core = createRequestHandler(functions, options);
  return async (event) => {
    const method = methodOf(event);
    if (method.toUpperCase() !== 'POST') return toResult(core.reject(methodNotAllowed(method)));
    const text = event.body ?? '';
    const body = Buffer.from(text, event.isBase64Encoded === true ? 'base64' : 'utf8');
    const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return toResult(
      await core.handle(bytes, callOf(event, method), { traceparent: traceparentOf(event.headers) }),
    );
  };
}
