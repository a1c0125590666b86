/**
 * Rendezvous hashing: every process computes the same owner from the same members, key groups spread evenly,
 * and a member joining or leaving moves only the key groups it wins or held.
 */
import { describe, expect, it } from 'vitest';
import { desiredKeyGroups, ownerOf } from './rendezvous.js';

const K = 256;
const nodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${i + 1}`);
const owners = (members: readonly string[]): (string | undefined)[] =>
  Array.from({ length: K }, (_, kg) => ownerOf(members, kg));

describe('ownerOf', () => {
  it('has no owner without members', () => {
    expect(ownerOf([], 0)).toBeUndefined();
    expect(desiredKeyGroups([], 'node-1', K)).toEqual([]);
  });

  it('gives every key group to the only member', () => {
    expect(desiredKeyGroups(['solo'], 'solo', K)).toHaveLength(K);
  });

  it('does not depend on the order members are listed in', () => {
    const members = nodes(5);
    const expected = owners(members);
    expect(owners([...members].reverse())).toEqual(expected);
    expect(owners([members[2]!, members[0]!, members[4]!, members[1]!, members[3]!])).toEqual(expected);
  });

  it('stays the same across versions (processes of a rolling upgrade must agree)', () => {
    // murmur3_x86_32(utf8(nodeId + "#" + keyGroup)), highest wins: a change here reassigns key groups.
    expect(Array.from({ length: 8 }, (_, kg) => ownerOf(['a', 'b', 'c'], kg))).toEqual([
      'b',
      'c',
      'c',
      'a',
      'b',
      'b',
      'a',
      'c',
    ]);
  });
});

describe('desiredKeyGroups', () => {
  it('splits the key groups among the members: each exactly once, in ascending order', () => {
    const members = nodes(4);
    const all = members.flatMap((m) => {
      const mine = desiredKeyGroups(members, m, K);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
      for (const kg of mine) expect(ownerOf(members, kg)).toBe(m);
      return mine;
    });
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: K }, (_, kg) => kg));
  });

  it('is empty for a node that is not a member', () => {
    expect(desiredKeyGroups(nodes(3), 'stranger', K)).toEqual([]);
  });

  it.each([2, 3, 4, 5, 8])('gives each of %i members its fair share of 256 key groups within 30 %%', (n) => {
    const members = nodes(n);
    const fair = K / n;
    for (const m of members) {
      const share = desiredKeyGroups(members, m, K).length;
      expect(share).toBeGreaterThanOrEqual(Math.floor(fair * 0.7));
      expect(share).toBeLessThanOrEqual(Math.ceil(fair * 1.3));
    }
  });

  it('moves only the key groups a joining member wins, about its fair share', () => {
    const before = owners(nodes(4));
    const after = owners(nodes(5));
    const moved = after.filter((owner, kg) => owner !== before[kg]);
    expect(new Set(moved)).toEqual(new Set(['node-5']));
    expect(moved.length).toBeGreaterThanOrEqual(Math.floor((K / 5) * 0.7));
    expect(moved.length).toBeLessThanOrEqual(Math.ceil((K / 5) * 1.3));
  });

  it('moves only the key groups a leaving member held', () => {
    const members = nodes(5);
    const before = owners(members);
    const after = owners(members.filter((m) => m !== 'node-3'));
    for (let kg = 0; kg < K; kg++) {
      if (before[kg] === 'node-3') expect(after[kg]).not.toBe('node-3');
      else expect(after[kg]).toBe(before[kg]);
    }
  });
});
