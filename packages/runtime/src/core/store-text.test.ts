/**
 * storeTextProblem: the text rules both stores can keep (no NUL, valid Unicode, a UTF-8 byte limit), with a
 * phrase that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { STORE_TEXT_LIMITS, storeTextProblem } from './store-text.js';

describe('STORE_TEXT_LIMITS', () => {
  it('keeps keys below the PostgreSQL btree entry limit and cannot be changed', () => {
    expect(STORE_TEXT_LIMITS).toEqual({ id: 1024, typename: 512, stateName: 256, token: 512 });
    expect(Object.isFrozen(STORE_TEXT_LIMITS)).toBe(true);
  });
});

describe('storeTextProblem', () => {
  it.each([
    ['empty text', ''],
    ['ASCII', 'shop/cart'],
    ['accents and CJK', 'café/購物車'],
    ['a surrogate pair (emoji)', 'cart-🛒'],
  ])('accepts %s', (_, text) => {
    expect(storeTextProblem(text, 100)).toBeUndefined();
  });

  it('refuses a NUL character anywhere', () => {
    expect(storeTextProblem('a\u0000b', 100)).toMatch(/NUL character/);
    expect(storeTextProblem('\u0000', 100)).toMatch(/NUL character/);
  });

  it.each([
    ['a lone high surrogate at the end', 'ab\uD83D'],
    ['a lone high surrogate before a letter', '\uD83Dx'],
    ['a lone low surrogate at the start', '\uDED2ab'],
    ['a pair in the wrong order', '\uDED2\uD83D'],
  ])('refuses %s', (_, text) => {
    expect(storeTextProblem(text, 100)).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('counts the limit in UTF-8 bytes, accepting text exactly at it', () => {
    expect(storeTextProblem('a'.repeat(512), 512)).toBeUndefined();
    expect(storeTextProblem('a'.repeat(513), 512)).toBe('is 513 bytes long (UTF-8), over the limit of 512');
  });

  it('counts multi-byte characters by their UTF-8 size, not their UTF-16 length', () => {
    // 171 characters of 3 bytes (513 bytes), far fewer characters than the limit.
    expect(storeTextProblem('€'.repeat(170) + 'ab', 512)).toBeUndefined();
    expect(storeTextProblem('€'.repeat(171), 512)).toBe('is 513 bytes long (UTF-8), over the limit of 512');
    // 4 bytes per emoji, 2 UTF-16 units each.
    expect(storeTextProblem('🛒'.repeat(128), 512)).toBeUndefined();
    expect(storeTextProblem('🛒'.repeat(129), 512)).toMatch(/^is 516 bytes long/);
  });
});
