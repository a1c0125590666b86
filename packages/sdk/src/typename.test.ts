import { describe, expect, test } from 'vitest';
import { address } from './address.js';
import { defineFunction } from './define-function.js';
import { DefinitionError, InvalidArgumentError } from './errors.js';
import { jsonType } from './types/json-type.js';
import { parseValidTypeName } from './typename.js';

describe('parseValidTypeName', () => {
  test('splits namespace/name', () => {
    expect(parseValidTypeName('example/cart', 'function type')).toEqual({
      namespace: 'example',
      name: 'cart',
    });
    expect(parseValidTypeName('type.googleapis.com/io.x.Y', 'typename')).toEqual({
      namespace: 'type.googleapis.com',
      name: 'io.x.Y',
    });
  });

  test.each(['', 'cart', '/cart', 'example/', 'a/b/c', 'a b/c', 'a/b\tc', 42, undefined])(
    'rejects %j',
    (value) => {
      expect(() => parseValidTypeName(value, 'function type')).toThrow(DefinitionError);
      expect(() => parseValidTypeName(value, 'egress id', 'argument')).toThrow(InvalidArgumentError);
    },
  );

  test('says what is wrong and how to fix it', () => {
    expect(() => parseValidTypeName('a/b/c', 'function type')).toThrow(
      'Invalid function type "a/b/c": expected "namespace/name" with exactly one "/" and both parts non-empty, ' +
        'e.g. "example/cart".',
    );
  });

  test('says when whitespace is what is wrong', () => {
    expect(() => parseValidTypeName('my ns/fn', 'function type')).toThrow(
      'Invalid function type "my ns/fn": expected "namespace/name" without whitespace, e.g. "example/cart".',
    );
  });
});

describe('the typename rule where the SDK takes typenames', () => {
  const handle = (): void => {};

  test('defineFunction refuses a function type with whitespace', () => {
    const define = (): unknown => defineFunction({ type: 'a b/c', handle });
    expect(define).toThrow(DefinitionError);
    expect(define).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }));
  });

  test('address refuses a function type with whitespace', () => {
    const build = (): unknown => address('a b/c', 'id');
    expect(build).toThrow(InvalidArgumentError);
    expect(build).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }));
  });

  test('a value type refuses a typename with whitespace', () => {
    expect(() => jsonType('a b/c')).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }));
  });
});
