import { describe, expect, it } from 'vitest';
import { murmur3x86_32 } from './murmur3.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3x86_32', () => {
  // Reference vectors of MurmurHash3_x86_32 (Austin Appleby's SMHasher implementation).
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['test', 0, 0xba6bd213],
    ['Hello, world!', 0, 0xc0363e43],
    ['Hello, world!', 1234, 0xfaf6cdb3],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['abc', 0, 0xb3dd93fa],
    ['ab', 0, 0x9bbfd75f],
  ])('hashes %j with seed %i', (input, seed, expected) => {
    expect(murmur3x86_32(utf8(input), seed)).toBe(expected);
  });
});
