/**
 * Reads an `IncompleteInvocationContext` reply: the state specs the function declared that the request did
 * not carry. The runtime registers them (durably) and retries the batch with them present and empty.
 */
import { ExpireMode as ProtoExpireMode, type FromFunction } from '@statehouse/protocol';
import type { ExpireMode } from '../store/store.js';
import type { DeclaredSpec } from './spec-registry.js';

const EXPIRE_MODES: Record<number, ExpireMode> = {
  [ProtoExpireMode.NONE]: 'NONE',
  [ProtoExpireMode.AFTER_WRITE]: 'AFTER_WRITE',
  [ProtoExpireMode.AFTER_INVOKE]: 'AFTER_INVOKE',
};

/** The specs an incomplete-context reply declares missing. */
export function missingSpecsOf(reply: FromFunction): DeclaredSpec[] {
  return (reply.incompleteInvocationContext?.missingValues ?? []).map((s) => ({
    stateName: s.stateName ?? '',
    typename: s.typeTypename ?? '',
    expireMode: EXPIRE_MODES[s.expirationSpec?.mode ?? 0] ?? 'NONE',
    expireAfterMs: Number(s.expirationSpec?.expireAfterMillis ?? 0),
  }));
}
