/** Every code of a {@link CliUsageError}; each has a row in `docs/errors.md`. */
export type CliErrorCode =
  | 'ERR_CLI_UNKNOWN_COMMAND'
  | 'ERR_CLI_INVALID_FLAG'
  | 'ERR_CLI_INVALID_ENV'
  | 'ERR_CLI_MISSING_MODULE'
  | 'ERR_CLI_MODULE_NOT_READABLE'
  | 'ERR_CLI_STORE_UNREACHABLE'
  | 'ERR_CLI_RUNTIME_UNREACHABLE'
  | 'ERR_CLI_RUNTIME_ERROR'
  | 'ERR_CLI_NOT_FOUND';

/**
 * Exit codes of the CLI: 0 done, 1 an unexpected failure, 2 a usage or configuration error or an error the
 * runtime answered, 3 what was asked for does not exist (an address without state, an unknown egress), 4 no
 * runtime answers at `--url`.
 */
export const EXIT_CODES = Object.freeze({ ok: 0, unexpected: 1, usage: 2, notFound: 3, unreachable: 4 });

/** An error of the command line: printed without a stack trace, with its exit code (2 unless said otherwise). */
export class CliUsageError extends Error {
  /** Stable code, `ERR_CLI_<WHAT>`. */
  readonly code: CliErrorCode;
  /** The process's exit code, one of {@link EXIT_CODES}. */
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, exitCode: number = EXIT_CODES.usage) {
    super(message);
    this.name = 'CliUsageError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
