import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { redactUrl } from './postgres-errors.js';
import { resolvePostgresStoreOptions, validatePostgresStoreOptions } from './postgres-options.js';

describe('PostgreSQL store URLs', () => {
  it('masks the password of the user-info and of password query parameters', () => {
    expect(redactUrl('postgres://u:PW@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@127.0.0.1:1/db?password=PW')).toBe(
      'postgres://u@127.0.0.1:1/db?password=***',
    );
    expect(redactUrl('postgresql://u@h/db?sslmode=verify-full&sslpassword=PW')).toBe(
      'postgresql://u@h/db?sslmode=verify-full&sslpassword=***',
    );
  });

  it('refuses a URL whose percent-encoding does not decode, before the driver throws a URIError', () => {
    let error: unknown;
    try {
      validatePostgresStoreOptions(
        resolvePostgresStoreOptions({ url: 'postgres://u:PW-SECRET%ZZ@127.0.0.1:1/db' }),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect((error as ConfigError).option).toBe('storeUrl');
    expect((error as ConfigError).message).toContain('--store');
    expect((error as ConfigError).message).toContain('%25');
    expect((error as ConfigError).message).not.toContain('PW-SECRET');
  });
});
