import { describe, expect, test } from 'vitest';
import { DefinitionError } from './errors.js';
import { IntType } from './types/well-known-types.js';
import { valueSpec } from './value-spec.js';

describe('valueSpec', () => {
  test('records the expiration mode', () => {
    expect(valueSpec(IntType).expiration).toEqual({ mode: 'none' });
    expect(valueSpec(IntType, { expireAfterWrite: 1000 }).expiration).toEqual({
      mode: 'after-write',
      millis: 1000,
    });
    expect(valueSpec(IntType, { expireAfterCall: 5 }).expiration).toEqual({ mode: 'after-call', millis: 5 });
    expect(Object.isFrozen(valueSpec(IntType))).toBe(true);
  });

  test.each([0, -1, 1.5, Number.NaN, Infinity])('rejects expireAfterWrite %s', (millis) => {
    expect(() => valueSpec(IntType, { expireAfterWrite: millis })).toThrow(DefinitionError);
    expect(() => valueSpec(IntType, { expireAfterCall: millis })).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_EXPIRATION' }),
    );
  });

  test('rejects both modes at once, naming both', () => {
    expect(() => valueSpec(IntType, { expireAfterWrite: 1, expireAfterCall: 2 })).toThrow(
      'Both expireAfterWrite (1) and expireAfterCall (2) are set',
    );
  });
});
