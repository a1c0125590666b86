/** A usage error of the command line: printed without a stack trace, exit code 2. */
export class CliUsageError extends Error {
  /** Stable code, `ERR_CLI_<WHAT>`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CliUsageError';
    this.code = code;
  }
}
