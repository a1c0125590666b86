import type { DeadLetterPolicyConfig, FunctionPolicyConfig, ModuleConfig } from './module-types.js';
import { splitModuleTypename } from './typename.js';

/**
 * The policy that applies to one function type, from its `io.statehouse.functions.v1/policy` document.
 * @experimental
 */
export interface ResolvedFunctionPolicy {
  /**
   * Most pending messages (durable backlog) of the function type before its HTTP ingress answers 503;
   * `undefined` when there is no limit.
   */
  readonly maxBacklog: number | undefined;
  /** When a failing batch is dead-lettered; `undefined`: it stalls and is retried until it succeeds. */
  readonly deadLetters: DeadLetterPolicyConfig | undefined;
  /** The policy document that applies (the type's own, else its namespace's); `undefined` when none does. */
  readonly policy: FunctionPolicyConfig | undefined;
}

/**
 * Finds the policy of a function type.
 * @experimental
 */
export interface PolicyResolver {
  /**
   * Resolves the policy of a function type: the policy of `namespace/name` if there is one, else the policy of
   * `namespace/*`, as a whole (fields the type's own policy leaves out are not taken from the namespace's).
   *
   * @param functionType - `namespace/name`.
   * @returns the limits that apply; no limits when no policy applies (or `functionType` is not a valid
   *   `namespace/name`). The result is frozen and may be shared between types.
   */
  resolve(functionType: string): ResolvedFunctionPolicy;
}

const NO_POLICY: ResolvedFunctionPolicy = Object.freeze({
  maxBacklog: undefined,
  deadLetters: undefined,
  policy: undefined,
});

/**
 * Creates the policy resolver of a module: a type's own policy (`ns/name`) wins over its namespace's (`ns/*`),
 * the same rule as for endpoint bindings. Lookups are two map reads; nothing is cached per type, so names that
 * come from outside (ingress requests) cost no memory.
 *
 * @param module - a loaded module (policies are unique per type and namespace, as {@link loadModuleFiles} checks).
 * @returns the resolver.
 * @example
 * const policies = createPolicyResolver(await loadModuleFile('module.yaml'));
 * policies.resolve('example/cart').maxBacklog; // 100000, or undefined without a limit
 * @experimental
 */
export function createPolicyResolver(module: Readonly<ModuleConfig>): PolicyResolver {
  const byType = new Map<string, ResolvedFunctionPolicy>();
  const byNamespace = new Map<string, ResolvedFunctionPolicy>();
  for (const policy of module.policies) {
    const resolved = Object.freeze({
      maxBacklog: policy.maxBacklog,
      deadLetters: policy.deadLetters,
      policy,
    });
    if (policy.name === '*') byNamespace.set(policy.namespace, resolved);
    else byType.set(`${policy.namespace}/${policy.name}`, resolved);
  }
  return {
    resolve(functionType: string): ResolvedFunctionPolicy {
      const own = byType.get(functionType);
      if (own !== undefined || byNamespace.size === 0) return own ?? NO_POLICY;
      const split = splitModuleTypename(functionType, false);
      if (!('parts' in split)) return NO_POLICY;
      return byNamespace.get(split.parts.namespace) ?? NO_POLICY;
    },
  };
}
