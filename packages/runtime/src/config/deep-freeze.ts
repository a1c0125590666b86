/**
 * Freezes an object and everything reachable from it.
 *
 * @param value - a tree of plain objects and arrays (no cycles needed, but they are handled).
 * @returns the same value, frozen, typed as readonly.
 */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
