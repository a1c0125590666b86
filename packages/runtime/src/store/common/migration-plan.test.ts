import { describe, expect, it } from 'vitest';

import { StoreError } from '../../errors.js';
import { planMigrations } from './migration-plan.js';

const FILE = { where: '/data/statehouse.db', kind: 'data directory' } as const;
const LIST = [{ version: 1 }, { version: 2 }, { version: 3 }];

/** A StoreError with this code. */
const coded = (code: string): unknown => expect.objectContaining({ constructor: StoreError, code });

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
    const plan = (): unknown => planMigrations('1', [{ version: 1 }, { version: 3 }], FILE);
    expect(plan).toThrow(coded('ERR_STORE_OPEN_FAILED'));
    expect(plan).toThrow('position 2 holds version 3');
    expect(plan).toThrow(FILE.where);
  });

  it('does not check migrations that are already applied', () => {
    expect(planMigrations('2', [{ version: 7 }, { version: 7 }, { version: 3 }], FILE).pending).toEqual([
      { version: 3 },
    ]);
  });

  it('keeps the schema-version checks', () => {
    expect(() => planMigrations('4', LIST, FILE)).toThrow(coded('ERR_STORE_SCHEMA_TOO_NEW'));
    expect(() => planMigrations('x', LIST, FILE)).toThrow(coded('ERR_STORE_CORRUPT'));
  });
});
