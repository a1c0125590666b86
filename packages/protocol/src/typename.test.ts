import { describe, expect, it } from 'vitest';

import { checkTypeName, formatTypeName, parseTypeName } from './typename.js';

describe('parseTypeName', () => {
  it.each([
    ['example/cart', 'example', 'cart'],
    ['type.googleapis.com/io.x.Y', 'type.googleapis.com', 'io.x.Y'],
    ['io.statefun.types/int', 'io.statefun.types', 'int'],
    ['ns/*', 'ns', '*'],
  ])('splits %j', (typename, namespace, name) => {
    expect(parseTypeName(typename)).toEqual({ namespace, name });
  });

  it.each(['', 'cart', '/cart', 'example/', '/', 'a/b/c', 'a//b', 'a b/c', 'a/b\tc', ' a/b', 'a/b\n'])(
    'refuses %j',
    (typename) => {
      expect(parseTypeName(typename)).toBeUndefined();
    },
  );

  it('accepts any other text around the one "/", as the StateFun runtime does', () => {
    expect(parseTypeName('ns-1_x/Name$2:v')).toEqual({ namespace: 'ns-1_x', name: 'Name$2:v' });
    expect(parseTypeName('café.ü/Ω')).toEqual({ namespace: 'café.ü', name: 'Ω' });
  });

  it('round-trips with formatTypeName', () => {
    const parsed = parseTypeName(formatTypeName('com.example', 'cart'));
    expect(parsed).toEqual({ namespace: 'com.example', name: 'cart' });
  });
});

describe('checkTypeName', () => {
  it.each([
    ['cart', 'slash-count'],
    ['a/b/c', 'slash-count'],
    ['a//b', 'slash-count'],
    ['/cart', 'empty-part'],
    ['example/', 'empty-part'],
    ['/', 'empty-part'],
    ['a b/c', 'whitespace'],
    ['a/b\u00a0c', 'whitespace'],
    ['/ ', 'empty-part'],
    ['a b/c/d', 'slash-count'],
  ])('names the fault of %j', (typename, fault) => {
    expect(checkTypeName(typename)).toEqual({ fault });
  });

  it('returns the parts of a typename', () => {
    expect(checkTypeName('example/cart')).toEqual({ typeName: { namespace: 'example', name: 'cart' } });
  });
});
