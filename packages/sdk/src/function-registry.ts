/** The functions a handler serves, by function type. */
import type { StatefulFunction } from './define-function.js';
import { DefinitionError, describeValue } from './errors.js';

/** Functions by function type (`namespace/name`). */
export type FunctionRegistry = ReadonlyMap<string, StatefulFunction>;

function isStatefulFunction(candidate: unknown): candidate is StatefulFunction {
  const fn = candidate as Partial<StatefulFunction> | null | undefined;
  return typeof fn?.type === 'string' && typeof fn.handle === 'function' && typeof fn.state === 'object';
}

/**
 * Indexes functions by type.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @returns the registry.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_FUNCTION` for something that is not a defined function,
 * `ERR_SDK_DUPLICATE_FUNCTION` when two functions have the same type.
 */
export function createRegistry(functions: readonly StatefulFunction[]): FunctionRegistry {
  if (!Array.isArray(functions)) {
    throw new DefinitionError(
      'ERR_SDK_INVALID_FUNCTION',
      `Handlers take an array of functions made with defineFunction; got ${describeValue(functions)}.`,
    );
  }
  const registry = new Map<string, StatefulFunction>();
  for (const fn of functions as readonly unknown[]) {
    if (!isStatefulFunction(fn)) {
      throw new DefinitionError(
        'ERR_SDK_INVALID_FUNCTION',
        `Handlers take functions made with defineFunction; got ${describeValue(fn)}.`,
      );
    }
    if (registry.has(fn.type)) {
      throw new DefinitionError(
        'ERR_SDK_DUPLICATE_FUNCTION',
        `Function type ${fn.type} is given twice: each function type is served by exactly one function.`,
      );
    }
    registry.set(fn.type, fn);
  }
  return registry;
}
