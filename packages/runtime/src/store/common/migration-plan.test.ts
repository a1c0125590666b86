import { describe, expect, it } from 'vitest';

import { StoreError } from '../../errors.js';
import { planMigrations } from './migration-plan.js';

const FILE = { where: '/data/statehouse.db', kind: 'data directory' } as const;
const LIST = [{ version: 1 }, { version: 2 }, { version: 3 }];

function errorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('planMigrations', () => {
  it('lists every migration for a new store, in order', () => {
    expect(planMigrations(undefined, LIST, FILE)).toEqual({ from: 0, to: 3, pending: LIST });
  });

  it('lists only the migrations after the recorded version', () => {
    expect(planMigrations('1', LIST, FILE)).toEqual({
      from: 1,
      to: 3,
      pending: [{ version: 2 }, { version: 3 }],
    });
    expect(planMigrations('3', LIST, FILE)).toEqual({ from: 3, to: 3, pending: [] });
  });

  it('refuses a pending migration out of place with ERR_STORE_OPEN_FAILED', () => {
    const err = errorOf(() => planMigrations('1', [{ version: 1 }, { version: 3 }], FILE));
    expect(err.code).toBe('ERR_STORE_OPEN_FAILED');
    expect(err.message).toContain('position 2 holds version 3');
    expect(err.message).toContain(FILE.where);
  });

  it('does not check migrations that are already applied', () => {
    expect(planMigrations('2', [{ version: 7 }, { version: 7 }, { version: 3 }], FILE).pending).toEqual([
      { version: 3 },
    ]);
  });

  it('keeps the schema-version checks', () => {
    expect(errorOf(() => planMigrations('4', LIST, FILE)).code).toBe('ERR_STORE_SCHEMA_TOO_NEW');
    expect(errorOf(() => planMigrations('x', LIST, FILE)).code).toBe('ERR_STORE_CORRUPT');
  });
});
