import { describe, expect, it } from 'vitest';
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import { isConnectionError, toPostgresStoreError } from './postgres-errors.js';

/** An error as postgres.js throws it, with a SQLSTATE in `code`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toPostgresStoreError', () => {
  it('treats a session the server ended (idle in a transaction: a process frozen mid-commit) as retryable', () => {
    for (const code of ['25P03', '57P05', '57P01']) {
      const err = pgError(code, 'terminating connection');
      expect(isConnectionError(err)).toBe(true);
      const wrapped = toPostgresStoreError(
        err,
        STORE_ERROR_CODES.commitFailed,
        'Committing a batch',
        'postgres://u:secret@h/db',
      );
      expect(wrapped.retryable).toBe(true);
      expect(wrapped.message).not.toContain('secret');
    }
  });

  it('keeps a statement error that a retry cannot fix not retryable', () => {
    const wrapped = toPostgresStoreError(
      pgError('42P01', 'relation does not exist'),
      STORE_ERROR_CODES.commitFailed,
      'Committing a batch',
      'postgres://h/db',
    );
    expect(wrapped.retryable).toBe(false);
  });
});
