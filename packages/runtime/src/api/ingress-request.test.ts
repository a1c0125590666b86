import type { IncomingMessage } from 'node:http';

import { describe, expect, it } from 'vitest';

import { ApiError } from '../errors.js';
import { ingressTarget, ingressTypename } from './ingress-request.js';

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('ingressTarget', () => {
  it('decodes the id and keeps the function type', () => {
    expect(ingressTarget(['com.example', 'cart', 'a%2Fb%20c'])).toEqual({
      type: 'com.example/cart',
      id: 'a/b c',
    });
  });

  it.each([
    [['a%2Fb', 'c', 'id'], 'has a "/" inside its namespace or name'],
    [['a', 'b%2Fc', 'id'], 'has a "/" inside its namespace or name'],
    [['a%20b', 'c', 'id'], 'contains whitespace'],
    [['a', 'c%0A', 'id'], 'contains whitespace'],
    [['%2F', 'c', 'id'], 'has a "/" inside its namespace or name'],
    [['a%01', 'c', 'id'], 'contains whitespace or a control character'],
    [['a', 'c%7F', 'id'], 'contains whitespace or a control character'],
    [['a', 'c', ''], 'with a non-empty id'],
  ])('refuses the decoded function type of %j with 400 ERR_API_MALFORMED_PATH', (parts, problem) => {
    const error = refusal(() => ingressTarget(parts));
    expect(error.code).toBe('ERR_API_MALFORMED_PATH');
    expect(error.status).toBe(400);
    expect(error.message).toContain(problem);
  });
});

describe('ingressTarget id limit', () => {
  it('takes an id of exactly maxIdBytes UTF-8 bytes and refuses one byte more', () => {
    const id = 'é'.repeat(5); // 10 bytes
    expect(ingressTarget(['a', 'b', encodeURIComponent(id)], 10).id).toBe(id);
    const error = refusal(() => ingressTarget(['a', 'b', encodeURIComponent(`${id}x`)], 10));
    expect(error.code).toBe('ERR_API_MALFORMED_PATH');
    expect(error.message).toContain('is 11 bytes long (UTF-8), over the limit of 10');
    expect(error.message).toContain('--max-id-bytes');
  });

  it('defaults to the store limit of 1024 bytes', () => {
    expect(ingressTarget(['a', 'b', 'x'.repeat(1024)]).id).toHaveLength(1024);
    expect(refusal(() => ingressTarget(['a', 'b', 'x'.repeat(1025)])).code).toBe('ERR_API_MALFORMED_PATH');
  });
});

describe('ingressTypename', () => {
  const withType = (type: string): IncomingMessage =>
    ({ headers: { 'statefun-type': type } }) as unknown as IncomingMessage;

  it('returns a typename', () => {
    expect(ingressTypename(withType('example/AddToCart'))).toBe('example/AddToCart');
  });

  it.each(['ie/My Msg', 'a/b/c', 'ie/', 'ie/\u0001x', `ie/${'x'.repeat(600)}`])(
    'refuses %j with 400 ERR_API_MALFORMED_TYPE',
    (type) => {
      const error = refusal(() => ingressTypename(withType(type)));
      expect(error.code).toBe('ERR_API_MALFORMED_TYPE');
      expect(error.status).toBe(400);
    },
  );
});
