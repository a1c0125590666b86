import { parseTypeName, type TypeName } from '@statehouse/protocol';

import { StatehouseError } from '../errors.js';
import { murmur3x86_32 } from './murmur3.js';

/** A function type, `namespace/name`, e.g. `example/cart`. */
export type FunctionType = string;

/** A logical address: a function type plus an id. */
export interface FunctionAddress {
  /** `namespace/name`. */
  readonly type: FunctionType;
  /** Any UTF-8 string, possibly empty. */
  readonly id: string;
}

/** Name of the hash the key group of an address is computed with (stored in the store's metadata). */
export const KEY_GROUP_HASH = 'murmur3_x86_32(utf8("namespace/name/id"))';

/** Default number of key groups of a deployment. */
export const DEFAULT_KEY_GROUPS = 256;

const encoder = new TextEncoder();

/**
 * The key group of an address: `murmur3_x86_32(utf8("namespace/name/id")) mod keyGroups`.
 *
 * @param address - the address.
 * @param keyGroups - K, fixed per deployment.
 * @returns a key group in `[0, keyGroups)`.
 */
export function keyGroupOf(address: FunctionAddress, keyGroups: number): number {
  return murmur3x86_32(encoder.encode(`${address.type}/${address.id}`)) % keyGroups;
}

/**
 * A string that identifies an address in maps (`type` + NUL + `id`).
 *
 * @param address - the address.
 * @returns the map key.
 */
export function addressKey(address: FunctionAddress): string {
  return `${address.type}\u0000${address.id}`;
}

/**
 * Formats an address for logs and messages: `example/cart/Kim`.
 *
 * @param address - the address.
 * @returns `namespace/name/id`.
 */
export function formatAddress(address: FunctionAddress): string {
  return `${address.type}/${address.id}`;
}

/**
 * Splits a function type into its namespace and name with the typename rule of `@statehouse/protocol`.
 *
 * @param type - `namespace/name`: a type the endpoint resolver bound, which follows the rule.
 * @returns the two parts.
 * @throws StatehouseError `ERR_ENGINE_UNEXPECTED` when `type` is not `namespace/name`; only a bug can get such a type this far, since the resolver
 *   binds no other and unbound types are never invoked.
 */
export function splitFunctionType(type: FunctionType): TypeName {
  const parts = parseTypeName(type);
  if (parts === undefined) {
    throw new StatehouseError(
      'ERR_ENGINE_UNEXPECTED',
      `${JSON.stringify(type)} is not a function type: expected namespace/name with exactly one "/"`,
    );
  }
  return parts;
}
