/** Every code of a {@link CliUsageError}; each has a row in `docs/errors.md`. */
export type CliErrorCode =
  | 'ERR_CLI_UNKNOWN_COMMAND'
  | 'ERR_CLI_INVALID_FLAG'
  | 'ERR_CLI_MISSING_MODULE'
  | 'ERR_CLI_MODULE_NOT_READABLE'
  | 'ERR_CLI_STORE_UNREACHABLE'
  | 'ERR_CLI_RUNTIME_UNREACHABLE'
  | 'ERR_CLI_RUNTIME_ERROR';

/** A usage error of the command line: printed without a stack trace, exit code 2. */
export class CliUsageError extends Error {
  /** Stable code, `ERR_CLI_<WHAT>`. */
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.name = 'CliUsageError';
    this.code = code;
  }
}
