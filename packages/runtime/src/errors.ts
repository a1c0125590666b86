/**
 * Errors of the runtime. Every error has a stable `code` (documented in `docs/errors.md`); callers branch on
 * `instanceof` or `code`, never on the message text.
 */

/** Options common to every runtime error. */
export interface StatehouseErrorOptions {
  /** The error that caused this one. */
  readonly cause?: unknown;
  /** Whether retrying the same operation may succeed. @default false */
  readonly retryable?: boolean;
}

/** Base class of every error the runtime throws. */
export class StatehouseError extends Error {
  /** Stable error code, `ERR_<AREA>_<WHAT>`. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: StatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A configuration input (module.yaml, CLI flag, runtime option) is invalid. */
export class ConfigError extends StatehouseError {}

/** The store failed or holds data this version cannot use. */
export class StoreError extends StatehouseError {}

/** An HTTP API request is invalid; `status` is the HTTP status to answer with. */
export class ApiError extends StatehouseError {
  /** HTTP status code to answer with. */
  readonly status: number;
  /** Seconds after which a client may retry (for 503). */
  readonly retryAfterSeconds: number | undefined;
  /** Extra response headers, e.g. `allow` for 405. */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra fields of the error object in the body, e.g. `earliestOffset` of `ERR_API_EGRESS_TRIMMED`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: StatehouseErrorOptions & {
      retryAfterSeconds?: number;
      headers?: Record<string, string>;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = Object.freeze({ ...options.headers });
    this.details = Object.freeze({ ...options.details });
  }
}

/**
 * A function service answered with something the runtime cannot apply (a malformed reply, a state
 * mutation of an unregistered state, an unknown egress, …). Nothing of that reply is applied and the batch
 * is retried.
 */
export class FunctionReplyError extends StatehouseError {
  constructor(code: string, message: string, options: StatehouseErrorOptions = {}) {
    super(code, message, { retryable: true, ...options });
  }
}

/** The call to a function service failed (connection error, timeout, non-2xx status). Always retryable. */
export class InvocationError extends StatehouseError {
  /** HTTP status, when the service answered. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: StatehouseErrorOptions & { status?: number } = {}) {
    super(code, message, { retryable: true, ...options });
    this.status = options.status;
  }
}
