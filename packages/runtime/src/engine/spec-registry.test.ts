/** Learned state specs: what a function declares is checked before it can reach a commit. */
import { describe, expect, it } from 'vitest';
import { FunctionReplyError } from '../errors.js';
import { MAX_TTL_MS, SpecRegistry } from './spec-registry.js';

describe('SpecRegistry', () => {
  it('cuts a TTL of Long.MAX_VALUE to a century, so every store can keep its deadlines', () => {
    const specs = new SpecRegistry();
    const [added] = specs.register('t/f', [
      {
        stateName: 's',
        typename: 't/S',
        expireMode: 'AFTER_WRITE',
        expireAfterMs: Number('9223372036854775807'),
      },
    ]);
    expect(added?.expireAfterMs).toBe(MAX_TTL_MS);
    expect(Number.isSafeInteger(Date.now() + MAX_TTL_MS)).toBe(true);
  });

  it('refuses a negative TTL, a NUL in a name and an empty name, naming the state', () => {
    const specs = new SpecRegistry();
    const refuse = (stateName: string, expireAfterMs: number) => () =>
      specs.register('t/f', [{ stateName, typename: 't/S', expireMode: 'AFTER_WRITE', expireAfterMs }]);
    expect(refuse('s', -1)).toThrow(FunctionReplyError);
    expect(refuse('s', -1)).toThrow(/expiration -1 ms/);
    expect(refuse('a\u0000b', 10)).toThrow(/NUL/);
    expect(refuse('', 10)).toThrow(/empty name/);
    expect(specs.specsOf('t/f').size).toBe(0);
  });
});
