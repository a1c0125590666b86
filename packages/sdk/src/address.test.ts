import { describe, expect, test } from 'vitest';
import { address, assertAddress, formatAddress, isSameAddress } from './address.js';
import { InvalidArgumentError } from './errors.js';

describe('address', () => {
  test('builds a frozen address', () => {
    const kim = address('example/cart', 'Kim');
    expect(kim).toEqual({ namespace: 'example', name: 'cart', type: 'example/cart', id: 'Kim' });
    expect(Object.isFrozen(kim)).toBe(true);
    expect(formatAddress(kim)).toBe('example/cart/Kim');
    expect(isSameAddress(kim, address('example/cart', 'Kim'))).toBe(true);
    expect(isSameAddress(kim, address('example/cart', 'Lee'))).toBe(false);
  });

  test('rejects a malformed type or a non-string id', () => {
    expect(() => address('cart', 'Kim')).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }),
    );
    expect(() => address('example/cart', 7 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => address('example/cart', 7 as unknown as string)).toThrow('use String(id)');
  });

  test('assertAddress rejects plain objects with missing parts', () => {
    expect(() => assertAddress({ namespace: 'a', id: 'x' }, 'send')).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_ADDRESS' }),
    );
    expect(() => assertAddress(address('a/b', ''), 'send')).not.toThrow();
  });
});
