import { describe, expect, it } from 'vitest';

import { splitModuleTypename } from './typename.js';

describe('splitModuleTypename', () => {
  it.each([
    ['a/b/c', false, 'expected namespace/name with exactly one "/"'],
    ['/b', false, 'expected namespace/name with a non-empty namespace and name'],
    ['a b/c', false, 'expected namespace/name without whitespace'],
    ['a/\tc', true, 'expected namespace/name or namespace/* without whitespace'],
    ['a/b*', true, '"*" is allowed only as the whole name (namespace/*)'],
    ['a/*', false, 'expected namespace/name; "*" is not allowed here'],
  ])('says what is wrong with %j (wildcard allowed: %s)', (text, allowWildcardName, problem) => {
    expect(splitModuleTypename(text, allowWildcardName)).toEqual({ problem });
  });

  it('splits a typename and a namespace wildcard', () => {
    expect(splitModuleTypename('example/cart', false)).toEqual({
      parts: { namespace: 'example', name: 'cart' },
    });
    expect(splitModuleTypename('example/*', true)).toEqual({ parts: { namespace: 'example', name: '*' } });
  });
});
