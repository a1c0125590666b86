/**
 * The SDK's errors: one base class with a stable `code`, and one subclass per kind of failure, so callers
 * branch on `instanceof` or `code`, never on message text. Every code has a row in `ERRORS.md`.
 */

/** Every error code the SDK throws or answers with. Codes are never reused once retired. */
export const SDK_ERROR_CODES = [
  'ERR_SDK_INVALID_TYPENAME',
  'ERR_SDK_INVALID_STATE_NAME',
  'ERR_SDK_INVALID_EXPIRATION',
  'ERR_SDK_INVALID_FUNCTION',
  'ERR_SDK_DUPLICATE_FUNCTION',
  'ERR_SDK_INVALID_OPTIONS',
  'ERR_SDK_INVALID_REQUEST',
  'ERR_SDK_REQUEST_TOO_LARGE',
  'ERR_SDK_METHOD_NOT_ALLOWED',
  'ERR_SDK_UNKNOWN_FUNCTION',
  'ERR_SDK_TYPE_MISMATCH',
  'ERR_SDK_SERIALIZE_FAILED',
  'ERR_SDK_DESERIALIZE_FAILED',
  'ERR_SDK_SCHEMA_VALIDATION',
  'ERR_SDK_MISSING_VALUE',
  'ERR_SDK_INVALID_VALUE',
  'ERR_SDK_INVALID_DELAY',
  'ERR_SDK_INVALID_CANCELLATION_TOKEN',
  'ERR_SDK_UNKNOWN_STATE',
  'ERR_SDK_INVALID_ADDRESS',
  'ERR_SDK_INVALID_EGRESS_RECORD',
  'ERR_SDK_FUNCTION_FAILED',
  'ERR_SDK_SIGNATURE_MISSING',
  'ERR_SDK_SIGNATURE_INVALID',
  'ERR_SDK_SIGNATURE_STALE',
] as const;

/** One of {@link SDK_ERROR_CODES}. */
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

/** Options every SDK error accepts. */
export interface SdkErrorOptions {
  /** The error that led to this one. */
  readonly cause?: unknown;
  /**
   * Whether retrying the same invocation may succeed. Travels to the runtime in the 500 answer.
   * @default false (true for {@link FunctionError})
   */
  readonly retryable?: boolean;
}

/**
 * Base class of every error the SDK throws. Check `instanceof` a subclass, or `code`.
 *
 * @example
 * ```ts
 * try { message.as(CartType) } catch (err) {
 *   if (err instanceof StatefunSdkError && err.code === 'ERR_SDK_TYPE_MISMATCH') { ... }
 * }
 * ```
 */
export class StatefunSdkError extends Error {
  /** Stable code naming the exact case, e.g. `ERR_SDK_INVALID_TYPENAME`. */
  readonly code: SdkErrorCode;
  /** Whether retrying the same invocation may succeed. */
  readonly retryable: boolean;

  /**
   * @param code - the stable code of this case.
   * @param message - what happened, the value seen, and how to fix it.
   * @param options - cause and retryability.
   */
  constructor(code: SdkErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A function, type, state spec or handler was defined wrongly. Thrown at definition time. */
export class DefinitionError extends StatefunSdkError {}

/** A request to a handler was not a valid StateFun request. Answered with a 4xx status. */
export class RequestError extends StatefunSdkError {
  /** The HTTP status the handlers answer with. */
  readonly status: 400 | 401 | 404 | 405 | 413;

  /**
   * @param code - the stable code of this case.
   * @param status - the HTTP status to answer with.
   * @param message - what is wrong with the request.
   */
  constructor(code: SdkErrorCode, status: 400 | 401 | 404 | 405 | 413, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** A value could not be serialized or deserialized, or had another type than expected. */
export class SerializationError extends StatefunSdkError {}

/** A context or builder method was called with an invalid argument. Thrown at the call site. */
export class InvalidArgumentError extends StatefunSdkError {}

/**
 * A function failed while handling a message. Handlers answer 500 with `{code, message, retryable}`.
 * Throw it yourself with `retryable: false` to tell the runtime a retry cannot help.
 */
export class FunctionError extends StatefunSdkError {
  /**
   * @param message - what failed.
   * @param options - cause and retryability.
   * @default retryable true
   */
  constructor(message: string, options: SdkErrorOptions = {}) {
    super('ERR_SDK_FUNCTION_FAILED', message, { ...options, retryable: options.retryable ?? true });
  }
}

/** Shows a value in an error message: strings quoted, everything else as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Describes a thrown value in one line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : describeValue(error);
}
