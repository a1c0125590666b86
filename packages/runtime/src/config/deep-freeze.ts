/**
 * Freezes an object and everything reachable from it. A `Map` cannot be frozen by `Object.freeze` (its entries
 * live outside its properties), so its `set`, `delete` and `clear` are replaced by ones that throw a
 * `TypeError`, as writing to a frozen object does in strict mode.
 *
 * @param value - a tree of plain objects, arrays and maps (no cycles needed, but they are handled).
 * @returns the same value, frozen, typed as readonly.
 */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    if (value instanceof Map) refuseChanges(value);
    // Frozen before its children are walked, so that a cycle back to it stops there.
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
    if (value instanceof Map) {
      for (const [key, child] of value) {
        deepFreeze(key);
        deepFreeze(child);
      }
    }
  }
  return value;
}

function refuseChanges(map: Map<unknown, unknown>): void {
  const refuse = (): never => {
    throw new TypeError('Cannot change a frozen Map');
  };
  for (const method of ['set', 'delete', 'clear'] as const) {
    Object.defineProperty(map, method, { value: refuse, enumerable: false });
  }
}
