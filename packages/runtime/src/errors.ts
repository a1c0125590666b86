/**
 * Errors of the runtime. Every error has a stable `code` (documented in `docs/errors.md`); callers branch on
 * `instanceof` or `code`, never on the message text.
 */
import { STORE_ERROR_CODES, type StoreErrorCode } from './store/common/store-errors.js';

export type { StoreErrorCode };

/** The codes of every area but the store's, in the order of `docs/errors.md`. */
const CODES_OUTSIDE_STORE = [
  // ConfigError
  'ERR_CONFIG_FILE_READ',
  'ERR_CONFIG_YAML_SYNTAX',
  'ERR_CONFIG_EMPTY_MODULE',
  'ERR_CONFIG_INVALID_DOCUMENT',
  'ERR_CONFIG_LEGACY_FORMAT',
  'ERR_CONFIG_UNKNOWN_KIND',
  'ERR_CONFIG_KIND_NOT_YET_SUPPORTED',
  'ERR_CONFIG_UNKNOWN_FIELD',
  'ERR_CONFIG_UNSUPPORTED_PROPERTY',
  'ERR_CONFIG_MISSING_FIELD',
  'ERR_CONFIG_INVALID_VALUE',
  'ERR_CONFIG_INVALID_DURATION',
  'ERR_CONFIG_INVALID_TYPENAME',
  'ERR_CONFIG_INVALID_URL',
  'ERR_CONFIG_CONFLICTING_FIELDS',
  'ERR_CONFIG_DUPLICATE_FUNCTION_BINDING',
  'ERR_CONFIG_DUPLICATE_EGRESS_ID',
  'ERR_CONFIG_DUPLICATE_INGRESS_ID',
  'ERR_CONFIG_DUPLICATE_FUNCTION_POLICY',
  'ERR_CONFIG_UNBOUND_FUNCTION_POLICY',
  'ERR_CONFIG_NO_CONNECTOR',
  'ERR_CONFIG_UNBOUND_INGRESS_TARGET',
  'ERR_CONFIG_INVALID_OPTION',
  'ERR_CONFIG_LISTEN_FAILED',
  'ERR_CONFIG_INSECURE_LISTEN',
  'ERR_CONFIG_TLS_FILES',
  // ApiError
  'ERR_API_MALFORMED_PATH',
  'ERR_API_MISSING_TYPE',
  'ERR_API_MALFORMED_TYPE',
  'ERR_API_MALFORMED_IDEMPOTENCY_KEY',
  'ERR_API_MALFORMED_QUERY',
  'ERR_API_MALFORMED_BODY',
  'ERR_API_BODY_TOO_LARGE',
  'ERR_API_UNKNOWN_FUNCTION_TYPE',
  'ERR_API_UNKNOWN_EGRESS',
  'ERR_API_EGRESS_TRIMMED',
  'ERR_API_NO_STATE',
  'ERR_API_UNKNOWN_DEAD_LETTER',
  'ERR_API_NOT_STALLED',
  'ERR_API_NOT_FOUND',
  'ERR_API_UNAUTHENTICATED',
  'ERR_API_FORBIDDEN',
  'ERR_API_METHOD_NOT_ALLOWED',
  'ERR_API_NOT_READY',
  'ERR_API_BACKLOG_FULL',
  'ERR_API_SHUTTING_DOWN',
  'ERR_API_INTERNAL',
  'ERR_API_RETRY',
  'ERR_API_STORE_FULL',
  'ERR_API_STORE_UNAVAILABLE',
  'ERR_API_RATE_LIMITED',
  'ERR_API_TOO_MANY_HEADERS',
  'ERR_API_HEADERS_TOO_LARGE',
  'ERR_API_MALFORMED_REQUEST',
  'ERR_API_REQUEST_TIMEOUT',
  'ERR_API_EXPECTATION_FAILED',
  // StatehouseError (the engine's own)
  'ERR_ENGINE_NO_ENDPOINT',
  'ERR_ENGINE_UNEXPECTED',
  'ERR_ENGINE_IDS_EXHAUSTED',
  // StatehouseError (the runtime's lifecycle)
  'ERR_RUNTIME_INVALID_STATE',
  'ERR_CONNECTOR_NOT_RUNNING',
  // InvocationError
  'ERR_INVOKE_TRANSPORT',
  'ERR_INVOKE_HTTP_STATUS',
  'ERR_INVOKE_CONTENT_TYPE',
  'ERR_INVOKE_CONTENT_ENCODING',
  'ERR_INVOKE_MALFORMED_REPLY',
  'ERR_INVOKE_RESPONSE_TOO_LARGE',
  'ERR_INVOKE_TLS_FILES',
  // FunctionReplyError
  'ERR_REPLY_UNKNOWN_STATE',
  'ERR_REPLY_STATE_TYPE_MISMATCH',
  'ERR_REPLY_INVALID_MUTATION',
  'ERR_REPLY_INVALID_SPEC',
  'ERR_REPLY_STATE_TYPE_CHANGED',
  'ERR_REPLY_INCOMPLETE_CONTEXT_LOOP',
  'ERR_REPLY_INVALID_TARGET',
  'ERR_REPLY_UNKNOWN_FUNCTION_TYPE',
  'ERR_REPLY_MISSING_ARGUMENT',
  'ERR_REPLY_INVALID_DELAY',
  'ERR_REPLY_EMPTY_CANCELLATION_TOKEN',
  'ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN',
  'ERR_REPLY_UNKNOWN_EGRESS',
  'ERR_REPLY_INVALID_EGRESS_RECORD',
  'ERR_REPLY_INVALID_TEXT',
  // SnapshotError
  'ERR_SNAPSHOT_INVALID_LOCATION',
  'ERR_SNAPSHOT_NOT_FOUND',
  'ERR_SNAPSHOT_MANIFEST_INVALID',
  'ERR_SNAPSHOT_FORMAT_TOO_NEW',
  'ERR_SNAPSHOT_FILE_MISSING',
  'ERR_SNAPSHOT_CHECKSUM_MISMATCH',
  'ERR_SNAPSHOT_CORRUPT',
  'ERR_SNAPSHOT_SOURCE_IN_USE',
  'ERR_SNAPSHOT_TARGET_NOT_EMPTY',
  'ERR_SNAPSHOT_TARGET_IN_USE',
  'ERR_SNAPSHOT_BLOB_FAILED',
  'ERR_STATE_INVALID_LINE',
] as const;

/**
 * Every error code the runtime throws or answers with: the store's come from its one table,
 * {@link STORE_ERROR_CODES}. Adding a code means adding it here (or there) and a row to `docs/errors.md` (a test
 * checks both); a retired code is never reused.
 */
export const RUNTIME_ERROR_CODES: readonly ((typeof CODES_OUTSIDE_STORE)[number] | StoreErrorCode)[] =
  Object.freeze([...CODES_OUTSIDE_STORE, ...Object.values(STORE_ERROR_CODES)]);

/** One of {@link RUNTIME_ERROR_CODES}. */
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

/** The codes of one area, `ERR_<AREA>_<WHAT>`. */
type CodesOf<Area extends string> = Extract<RuntimeErrorCode, `ERR_${Area}_${string}`>;
/** The codes a {@link ConfigError} carries. */
export type ConfigErrorCode = CodesOf<'CONFIG'>;
/** The codes an {@link ApiError} carries. */
export type ApiErrorCode = CodesOf<'API'>;
/** The codes a {@link FunctionReplyError} carries. */
export type FunctionReplyErrorCode = CodesOf<'REPLY'>;
/** The codes an {@link InvocationError} carries. */
export type InvocationErrorCode = CodesOf<'INVOKE'>;
/** The codes a {@link SnapshotError} carries. */
export type SnapshotErrorCode = CodesOf<'SNAPSHOT'> | CodesOf<'STATE'>;

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
  readonly code: RuntimeErrorCode;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: RuntimeErrorCode, message: string, options: StatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A configuration input (module.yaml, a runtime option) is invalid. */
export class ConfigError extends StatehouseError {
  declare readonly code: ConfigErrorCode;
  /**
   * The runtime option at fault (a key of `RuntimeOptions`, e.g. `listen`) when the error is about one, so
   * that a front end such as the CLI can name its own flag for it; `undefined` for module.yaml errors.
   */
  readonly option: string | undefined;

  constructor(
    code: ConfigErrorCode,
    message: string,
    options: StatehouseErrorOptions & { option?: string } = {},
  ) {
    super(code, message, options);
    this.option = options.option;
  }
}

/** The store failed or holds data this version cannot use. */
export class StoreError extends StatehouseError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: StatehouseErrorOptions = {}) {
    super(code, message, options);
  }
}

/** An HTTP API request is invalid; `status` is the HTTP status to answer with. */
export class ApiError extends StatehouseError {
  declare readonly code: ApiErrorCode;
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
    code: ApiErrorCode,
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
  declare readonly code: FunctionReplyErrorCode;

  constructor(code: FunctionReplyErrorCode, message: string, options: StatehouseErrorOptions = {}) {
    super(code, message, { retryable: true, ...options });
  }
}

/** The call to a function service failed (connection error, timeout, non-2xx status). Always retryable. */
export class InvocationError extends StatehouseError {
  declare readonly code: InvocationErrorCode;
  /** HTTP status, when the service answered. */
  readonly status: number | undefined;

  constructor(
    code: InvocationErrorCode,
    message: string,
    options: StatehouseErrorOptions & { status?: number } = {},
  ) {
    super(code, message, { retryable: true, ...options });
    this.status = options.status;
  }
}

/**
 * Taking, listing or restoring a snapshot, or moving state in or out, failed: the location is invalid or
 * unreachable, the snapshot is incomplete, damaged or too new, or the target is in use or not empty.
 */
export class SnapshotError extends StatehouseError {
  declare readonly code: SnapshotErrorCode;

  constructor(code: SnapshotErrorCode, message: string, options: StatehouseErrorOptions = {}) {
    super(code, message, options);
  }
}
