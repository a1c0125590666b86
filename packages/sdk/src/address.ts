/** Addresses of function instances: a function type (`namespace/name`) plus an id. */
import { InvalidArgumentError, describeValue } from './errors.js';
import { parseValidTypeName } from './typename.js';

/** The address of one function instance, e.g. `(example/cart, Kim)`. */
export interface Address {
  /** The function type's namespace, e.g. `example`. */
  readonly namespace: string;
  /** The function type's name, e.g. `cart`. */
  readonly name: string;
  /** The function type, `namespace/name`. */
  readonly type: string;
  /** The instance id; any string. */
  readonly id: string;
}

/**
 * Builds an address.
 *
 * @param type - the function type, `namespace/name`.
 * @param id - the instance id (any string).
 * @returns the frozen address.
 * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_TYPENAME` for a malformed type, or
 * `ERR_SDK_INVALID_ADDRESS` when `id` is not a string.
 * @example
 * ```ts
 * ctx.send(address('example/inventory', itemId), RequestItemType, { itemId, quantity });
 * ```
 */
export function address(type: string, id: string): Address {
  const { namespace, name } = parseValidTypeName(type, 'function type', 'argument');
  if (typeof id !== 'string') {
    throw new InvalidArgumentError(
      'ERR_SDK_INVALID_ADDRESS',
      `Invalid id ${describeValue(id)} for an address of ${type}: ids are strings; use String(id).`,
    );
  }
  return Object.freeze({ namespace, name, type, id });
}

/** Builds an address from the wire's parts without validation (what the runtime sent is taken as is). */
export function addressFromParts(namespace: string, name: string, id: string): Address {
  return Object.freeze({ namespace, name, type: `${namespace}/${name}`, id });
}

/**
 * Tells whether two addresses name the same function instance.
 *
 * @param a - an address.
 * @param b - another address.
 * @returns true when type and id are equal.
 */
export function isSameAddress(a: Address, b: Address): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.id === b.id;
}

/**
 * Formats an address as `namespace/name/id`, for logs and messages.
 *
 * @param target - the address.
 * @returns e.g. `example/cart/Kim`.
 */
export function formatAddress(target: Address): string {
  return `${target.type}/${target.id}`;
}

/** Checks an address passed to a context method, so a plain object with missing parts fails clearly. */
export function assertAddress(target: unknown, method: string): asserts target is Address {
  const candidate = target as Partial<Address> | null | undefined;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.namespace !== 'string' ||
    typeof candidate.name !== 'string' ||
    typeof candidate.id !== 'string' ||
    candidate.namespace === '' ||
    candidate.name === ''
  ) {
    throw new InvalidArgumentError(
      'ERR_SDK_INVALID_ADDRESS',
      `${method} got target ${describeValue(target)}: build it with address('namespace/name', id).`,
    );
  }
}
