import { describe, expect, test } from 'vitest';
import { defineFunction } from './define-function.js';
import { DefinitionError } from './errors.js';
import { IntType } from './types/well-known-types.js';
import { valueSpec } from './value-spec.js';

const handle = (): void => {};

describe('defineFunction', () => {
  test('returns a frozen function with its parts and an address helper', () => {
    const fn = defineFunction({ type: 'example/cart', state: { items: valueSpec(IntType) }, handle });
    expect(fn).toMatchObject({ type: 'example/cart', namespace: 'example', name: 'cart' });
    expect(Object.keys(fn.state)).toEqual(['items']);
    expect(fn.address('Kim')).toEqual({
      namespace: 'example',
      name: 'cart',
      type: 'example/cart',
      id: 'Kim',
    });
    expect(Object.isFrozen(fn)).toBe(true);
  });

  test('keeps `this` of the definition in handle', async () => {
    let seen: unknown;
    const definition = {
      type: 'example/this',
      greeting: 'hi',
      handle(this: { greeting: string }) {
        seen = this.greeting;
      },
    };
    await defineFunction(definition).handle({} as never, {} as never);
    expect(seen).toBe('hi');
  });

  test.each(['cart', 'a/b/c', ''])('rejects function type %j', (type) => {
    expect(() => defineFunction({ type, handle })).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_TYPENAME' }),
    );
  });

  test.each(['1st', 'in-stock', 'a b', ''])('rejects state name %j', (name) => {
    expect(() =>
      defineFunction({ type: 'example/x', state: { [name]: valueSpec(IntType) }, handle }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SDK_INVALID_STATE_NAME' }));
  });

  test('accepts Java/Go style state names', () => {
    expect(() =>
      defineFunction({
        type: 'example/x',
        state: { inStock: valueSpec(IntType), _n2: valueSpec(IntType) },
        handle,
      }),
    ).not.toThrow();
  });

  test('rejects a missing handler, a non-spec state and a state type with a bad typename', () => {
    expect(() => defineFunction({ type: 'example/x' } as never)).toThrow(DefinitionError);
    expect(() => defineFunction({ type: 'example/x', state: { n: IntType } as never, handle })).toThrow(
      'declare it with valueSpec(type, options)',
    );
    const badType = { typename: 'nope', serialize: () => new Uint8Array(), deserialize: () => 0 };
    expect(() => defineFunction({ type: 'example/x', state: { n: valueSpec(badType) }, handle })).toThrow(
      'Invalid typename of state "n" of example/x "nope"',
    );
  });
});
