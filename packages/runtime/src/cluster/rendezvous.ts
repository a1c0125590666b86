/** Rendezvous (highest random weight) hashing of key groups over live members. */
import { murmur3x86_32 } from '../core/murmur3.js';

const encoder = new TextEncoder();

/**
 * The member that should own a key group: the one with the highest `murmur3(nodeId + "#" + keyGroup)`.
 * When a member joins or leaves, only the key groups it wins or held move.
 *
 * @param members - node ids of live members (any order).
 * @param keyGroup - the key group.
 * @returns the winning node id, or `undefined` when there are no members.
 */
export function ownerOf(members: readonly string[], keyGroup: number): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const m of members) {
    const score = murmur3x86_32(encoder.encode(`${m}#${keyGroup}`));
    if (score > bestScore || (score === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The key groups a member should own.
 *
 * @returns key groups in ascending order.
 */
export function desiredKeyGroups(members: readonly string[], nodeId: string, keyGroups: number): number[] {
  const out: number[] = [];
  for (let kg = 0; kg < keyGroups; kg++) if (ownerOf(members, kg) === nodeId) out.push(kg);
  return out;
}
