import { describe, expect, test } from 'vitest';
import { DefinitionError, InvalidArgumentError } from './errors.js';
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

  test.each(['', 'cart', '/cart', 'example/', 'a/b/c', 42, undefined])('rejects %j', (value) => {
    expect(() => parseValidTypeName(value, 'function type')).toThrow(DefinitionError);
    expect(() => parseValidTypeName(value, 'egress id', 'argument')).toThrow(InvalidArgumentError);
  });

  test('says what is wrong and how to fix it', () => {
    expect(() => parseValidTypeName('a/b/c', 'function type')).toThrow(
      'Invalid function type "a/b/c": expected "namespace/name" with exactly one "/" and both parts non-empty, ' +
        'e.g. "example/cart".',
    );
  });
});
