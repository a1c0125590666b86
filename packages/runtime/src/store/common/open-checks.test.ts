import { describe, expect, it } from 'vitest';

import { StoreError } from '../../errors.js';
import { checkRecordedMeta, checkSchemaVersion, validateExpected } from './open-checks.js';

const FILE = { where: '/data/statehouse.db', kind: 'data directory' } as const;
const DB = { where: 'postgres://u:***@db/s', kind: 'database' } as const;

function errorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('validateExpected', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses %j key groups', (keyGroups) => {
    const err = errorOf(() => validateExpected({ keyGroups, hash: 'h' }));
    expect(err.code).toBe('ERR_STORE_META_INVALID');
    expect(err.message).toContain(`got ${String(keyGroups)}`);
  });

  it('refuses an empty hash name and accepts a valid deployment', () => {
    expect(errorOf(() => validateExpected({ keyGroups: 8, hash: '' })).code).toBe('ERR_STORE_META_INVALID');
    expect(() => validateExpected({ keyGroups: 8, hash: 'h' })).not.toThrow();
  });
});

describe('checkSchemaVersion', () => {
  it('reads a new store as version 0 and a recorded version as itself', () => {
    expect(checkSchemaVersion(undefined, 3, FILE)).toBe(0);
    expect(checkSchemaVersion('2', 3, DB)).toBe(2);
    expect(checkSchemaVersion('3', 3, DB)).toBe(3);
  });

  it('calls an unreadable version corrupt, naming the store and what to restore', () => {
    const err = errorOf(() => checkSchemaVersion('two', 3, FILE));
    expect(err.code).toBe('ERR_STORE_CORRUPT');
    expect(err.message).toContain('/data/statehouse.db');
    expect(err.message).toContain('"two"');
    expect(err.message).toContain('Restore the data directory from a backup');
  });

  it('refuses a version newer than this Statehouse knows', () => {
    const err = errorOf(() => checkSchemaVersion('4', 3, DB));
    expect(err.code).toBe('ERR_STORE_SCHEMA_TOO_NEW');
    expect(err.message).toContain('schema version 4');
    expect(err.message).toContain('versions up to 3');
  });
});

describe('checkRecordedMeta', () => {
  const expected = { keyGroups: 8, hash: 'h' };

  it('says whether a deployment is recorded yet', () => {
    expect(checkRecordedMeta({ keyGroups: undefined, hash: undefined }, expected, FILE)).toBe(false);
    expect(checkRecordedMeta({ keyGroups: '8', hash: 'h' }, expected, FILE)).toBe(true);
  });

  it.each([
    [{ keyGroups: '16', hash: 'h' }, 'keyGroups=16'],
    [{ keyGroups: '8', hash: 'other' }, '"other"'],
    [{ keyGroups: undefined, hash: 'h' }, 'keyGroups=(none)'],
  ])('refuses %j, naming both deployments and the fix', (recorded, shown) => {
    const err = errorOf(() => checkRecordedMeta(recorded, expected, DB));
    expect(err.code).toBe('ERR_STORE_META_MISMATCH');
    expect(err.message).toContain(shown);
    expect(err.message).toContain('configured with keyGroups=8 and hash "h"');
    expect(err.message).toContain('or use a new, empty database');
  });
});
