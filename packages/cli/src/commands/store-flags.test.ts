import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../cli-error.js';
import { readSource, readTarget } from './store-flags.js';

function usageError(run: () => unknown): CliUsageError {
  try {
    run();
  } catch (err) {
    if (err instanceof CliUsageError) return err;
    throw err;
  }
  throw new Error('expected a CliUsageError');
}

describe('--store', () => {
  it('shows the URL without its password in the where field', () => {
    const choice = readSource({ store: 'postgres://u@127.0.0.1:1/db?password=PW-SECRET' }, 'usage');
    expect(choice).toMatchObject({
      kind: 'store',
      source: { where: 'postgres://u@127.0.0.1:1/db?password=***' },
    });
  });

  it.each([
    ['postgres://u:PW-SECRET%ZZ@127.0.0.1:1/db', 'invalid percent-encoding'],
    ['mysql://u:PW-SECRET@h/db', 'must be a postgres://'],
  ])('refuses %s without printing the password', (store, message) => {
    for (const read of [readSource, readTarget]) {
      const error = usageError(() => read({ store }, 'usage'));
      expect(error.code).toBe('ERR_CLI_INVALID_FLAG');
      expect(error.message).toContain(message);
      expect(error.message).not.toContain('PW-SECRET');
    }
  });
});
