/**
 * The transport-independent core every handler (node:http, Fetch, Lambda) adapts: request bytes in,
 * status + headers + body out. Use it directly to serve functions over another transport.
 */
import { FromFunction, ToFunction, type FromFunctionProps } from '@statehouse/protocol';
import type { StatefulFunction } from './define-function.js';
import {
  DefinitionError,
  FunctionError,
  RequestError,
  StatefunSdkError,
  describeError,
  describeValue,
} from './errors.js';
import { createRegistry, type FunctionRegistry } from './function-registry.js';
import {
  createCallVerifier,
  type CallInfo,
  type CallVerifier,
  type SignatureOptions,
} from './call-verifier.js';
import { batchFromRequest, responseFromOutcome } from './protocol-mapping.js';
import { runBatch } from './run-batch.js';
import { traceOf } from './trace.js';

/** Options every handler takes. */
export interface HandlerOptions {
  /**
   * Largest request body accepted, in bytes; larger requests answer 413.
   * @default 33554432 (32 MiB, the runtime's default `payload_max_bytes`)
   */
  readonly maxRequestBytes?: number;
  /**
   * Called with every error a request ends in (4xx and 5xx), e.g. to log it. Errors it throws are ignored.
   * @default none
   */
  readonly onError?: (error: StatefunSdkError, status: number) => void;
  /**
   * Accept only calls signed by the runtime with one of these keys, recently (see docs/security.md, "Signed
   * function calls"); others answer 401. Official StateFun runtimes do not sign: set it only behind Statehouse.
   * @default none: signatures are not checked
   */
  readonly signature?: SignatureOptions;
}

/** {@link HandlerOptions} with defaults applied. */
export interface ResolvedHandlerOptions {
  /** Largest request body accepted, in bytes. */
  readonly maxRequestBytes: number;
  /** The error hook, if any. */
  readonly onError: ((error: StatefunSdkError, status: number) => void) | undefined;
  /** Checks call signatures, when the `signature` option is given. */
  readonly verifier: CallVerifier | undefined;
}

/** A transport-neutral HTTP answer. */
export interface SdkResponse {
  /** 200, or the error's status (400, 401, 404, 405, 413, 500). */
  readonly status: number;
  /** `Content-Type` and `Content-Length`. */
  readonly headers: Readonly<Record<string, string>>;
  /** A serialized `FromFunction` (200) or a JSON error body. */
  readonly body: Uint8Array;
}

/**
 * What a transport adapter read from the request besides its body.
 *
 * @experimental
 */
export interface RequestMetadata {
  /** The W3C `traceparent` header, if any (see {@link Context.trace}). */
  readonly traceparent?: string | null | undefined;
}

/** The core request handler. */
export interface RequestHandler {
  /** The options in effect. */
  readonly options: ResolvedHandlerOptions;
  /**
   * Handles one request body. Never throws: failures become 4xx/5xx answers with a JSON body
   * `{code, message}` (4xx) or `{code, message, retryable}` (500).
   * @param body - a serialized `ToFunction`.
   * @param call - method, path and signature header, checked when the `signature` option is set (a call
   *   without them is then refused with 401).
   * @param metadata - what the transport read from the request's other headers (its `traceparent`).
   * @returns the answer.
   */
  handle(body: Uint8Array, call?: CallInfo, metadata?: RequestMetadata): Promise<SdkResponse>;
  /**
   * Builds the answer for an error found by a transport adapter (wrong method, body too large).
   * @param error - the error.
   * @returns the answer.
   */
  reject(error: StatefunSdkError): SdkResponse;
}

/** The default of {@link HandlerOptions.maxRequestBytes}. */
export const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * Applies defaults to handler options and validates them.
 *
 * @param options - what the caller passed.
 * @returns the resolved, frozen options.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_OPTIONS`.
 */
export function resolveHandlerOptions(options: HandlerOptions = {}): ResolvedHandlerOptions {
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= 0) {
    throw new DefinitionError(
      'ERR_SDK_INVALID_OPTIONS',
      `Invalid maxRequestBytes ${describeValue(maxRequestBytes)}: expected a positive whole number of bytes.`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new DefinitionError(
      'ERR_SDK_INVALID_OPTIONS',
      'onError must be a function (error, status) => void.',
    );
  }
  const verifier = options.signature === undefined ? undefined : createCallVerifier(options.signature);
  return Object.freeze({ maxRequestBytes, onError: options.onError, verifier });
}

/**
 * Runs a decoded request against the registry.
 *
 * @param registry - the served functions.
 * @param request - the decoded `ToFunction`.
 * @param traceparent - the request's W3C `traceparent` header, if any.
 * @returns the `FromFunction` to send back.
 * @throws {@link RequestError} for an invalid request or unknown function type; any error of the function.
 */
export async function invokeRequest(
  registry: FunctionRegistry,
  request: ToFunction,
  traceparent?: string | null,
): Promise<FromFunctionProps> {
  const trace = traceOf(traceparent);
  const batch = trace === undefined ? batchFromRequest(request) : { ...batchFromRequest(request), trace };
  const fn = registry.get(batch.target.type);
  if (fn === undefined) {
    const served = [...registry.keys()].join(', ') || 'none';
    throw new RequestError(
      'ERR_SDK_UNKNOWN_FUNCTION',
      404,
      `No function of type ${batch.target.type} is served here (served: ${served}). Check the endpoint's ` +
        `functions pattern in module.yaml, or pass the function to the handler.`,
    );
  }
  return responseFromOutcome(await runBatch(fn, batch));
}

const encoder = new TextEncoder();

function jsonResponse(status: number, body: object): SdkResponse {
  const bytes = encoder.encode(JSON.stringify(body));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(bytes.length),
  };
  if (status === 405) headers['Allow'] = 'POST';
  return { status, headers, body: bytes };
}

function errorResponse(error: StatefunSdkError): { status: number; response: SdkResponse } {
  if (error instanceof RequestError) {
    return {
      status: error.status,
      response: jsonResponse(error.status, { code: error.code, message: error.message }),
    };
  }
  const body = { code: error.code, message: error.message, retryable: error.retryable };
  return { status: 500, response: jsonResponse(500, body) };
}

/**
 * Creates the core request handler for some functions.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - body limit and error hook.
 * @returns the handler.
 * @throws {@link DefinitionError} for duplicate or invalid functions and invalid options.
 * @example
 * ```ts
 * const core = createRequestHandler([cart, inventory]);
 * const { status, headers, body } = await core.handle(requestBytes);
 * ```
 */
export function createRequestHandler(
  functions: readonly StatefulFunction[],
  options: HandlerOptions = {},
): RequestHandler {
  const registry = createRegistry(functions);
  const resolved = resolveHandlerOptions(options);

  const reject = (error: StatefunSdkError): SdkResponse => {
    const { status, response } = errorResponse(error);
    try {
      resolved.onError?.(error, status);
    } catch {
      // A failing error hook must not turn an answered error into an unanswered request.
    }
    return response;
  };

  const handle = async (
    body: Uint8Array,
    call?: CallInfo,
    metadata?: RequestMetadata,
  ): Promise<SdkResponse> => {
    if (body.length > resolved.maxRequestBytes) return reject(tooLarge(resolved.maxRequestBytes));
    const refused = await resolved.verifier?.verify(call, body);
    if (refused !== undefined) return reject(refused);
    let request: ToFunction;
    try {
      request = ToFunction.decode(body);
    } catch (error) {
      return reject(
        new RequestError(
          'ERR_SDK_INVALID_REQUEST',
          400,
          `The request body (${body.length} bytes) is not a serialized ToFunction: ${describeError(error)}. ` +
            `Send the protobuf bytes with Content-Type application/octet-stream.`,
        ),
      );
    }
    try {
      const bytes = FromFunction.encode(
        await invokeRequest(registry, request, metadata?.traceparent),
      ).finish();
      return {
        status: 200,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
        body: bytes,
      };
    } catch (error) {
      return reject(
        error instanceof StatefunSdkError
          ? error
          : new FunctionError(`Handling the request failed: ${describeError(error)}.`, { cause: error }),
      );
    }
  };

  return Object.freeze({ options: resolved, handle, reject });
}

/**
 * @param limit - the configured limit.
 * @returns the error for a body over the limit.
 */
export function tooLarge(limit: number): RequestError {
  return new RequestError(
    'ERR_SDK_REQUEST_TOO_LARGE',
    413,
    `The request body is larger than maxRequestBytes (${limit} bytes): raise maxRequestBytes in the handler ` +
      `options, or send smaller batches (maxNumBatchRequests).`,
  );
}

/**
 * @param method - the HTTP method seen.
 * @returns the error for a request that is not a POST.
 */
export function methodNotAllowed(method: string): RequestError {
  return new RequestError(
    'ERR_SDK_METHOD_NOT_ALLOWED',
    405,
    `Method ${method} is not allowed: the StateFun runtime invokes functions with POST.`,
  );
}
