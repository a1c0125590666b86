/** deepFreeze: the value and everything reachable from it can no longer change. */
import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns the same value', () => {
    const config = {
      endpoints: [{ url: 'http://x', headers: { a: '1' } }],
      egress: { retention: { ms: 5 } },
    };
    const frozen = deepFreeze(config);
    expect(frozen).toBe(config);
    for (const v of [
      config,
      config.endpoints,
      config.endpoints[0],
      config.endpoints[0]?.headers,
      config.egress.retention,
    ])
      expect(Object.isFrozen(v)).toBe(true);
    expect(() => {
      (config.endpoints[0]!.headers as Record<string, string>)['b'] = '2';
    }).toThrow(TypeError);
  });

  it('makes a Map unchangeable, and freezes its entries', () => {
    const entry = { a: 1 };
    const map = new Map<string, unknown>([['k', entry]]);
    const frozen = deepFreeze({ map });
    expect(Object.isFrozen(frozen.map)).toBe(true);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(() => map.set('x', 1)).toThrow(TypeError);
    expect(() => map.delete('k')).toThrow(TypeError);
    expect(() => map.clear()).toThrow(TypeError);
    expect([...map]).toEqual([['k', entry]]);
    expect(map).toEqual(new Map([['k', { a: 1 }]]));
  });

  it('leaves primitives and null as they are', () => {
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze('text')).toBe('text');
    expect(deepFreeze(null)).toBeNull();
    expect(deepFreeze(undefined)).toBeUndefined();
  });

  it('handles cycles', () => {
    const a: { self?: unknown; list: unknown[] } = { list: [] };
    a.self = a;
    a.list.push(a);
    expect(deepFreeze(a)).toBe(a);
    expect(Object.isFrozen(a.list)).toBe(true);
  });
});
