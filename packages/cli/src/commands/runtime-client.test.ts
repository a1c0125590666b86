import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliUsageError, EXIT_CODES } from '../cli-error.js';
import { apiToken, callRuntime } from './runtime-client.js';

const SECRET = 'read-token-SECRET-0123456789';

function usageError(run: () => unknown): CliUsageError {
  try {
    run();
  } catch (err) {
    if (err instanceof CliUsageError) return err;
    throw err;
  }
  throw new Error('expected a CliUsageError');
}

describe('STATEHOUSE_API_TOKEN', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the token when it is printable ASCII, nothing when unset or empty', () => {
    expect(apiToken({ STATEHOUSE_API_TOKEN: SECRET })).toBe(SECRET);
    expect(apiToken({})).toBeUndefined();
    expect(apiToken({ STATEHOUSE_API_TOKEN: '' })).toBeUndefined();
  });

  it.each([
    [`${SECRET}\n`, 'character 29 of 29 is a line break'],
    [`${SECRET} x`, 'character 29 of 30 is a space or tab'],
    [`${SECRET}\u0007`, 'is a control character'],
    [`${SECRET}é`, 'is not ASCII'],
  ])('refuses %j as a usage error naming the variable, never the token', (token, where) => {
    const error = usageError(() => apiToken({ STATEHOUSE_API_TOKEN: token }));
    expect(error.code).toBe('ERR_CLI_INVALID_ENV');
    expect(error.exitCode).toBe(EXIT_CODES.usage);
    expect(error.message).toContain('STATEHOUSE_API_TOKEN is not a valid token: ');
    expect(error.message).toContain(where);
    expect(error.message).not.toContain('SECRET');
  });

  it('is checked before any request, so fetch never prints it', async () => {
    vi.stubEnv('STATEHOUSE_API_TOKEN', `Bearer ${SECRET}\nx`);
    const fetch = vi.spyOn(globalThis, 'fetch');
    const error = await callRuntime('http://127.0.0.1:1', '/v1/stalled').catch((err: unknown) => err);
    expect(fetch).not.toHaveBeenCalled();
    fetch.mockRestore();
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as CliUsageError).code).toBe('ERR_CLI_INVALID_ENV');
    expect((error as CliUsageError).message).not.toContain('SECRET');
  });
});
