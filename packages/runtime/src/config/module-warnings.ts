import { kinesisPropertyWithoutEffect } from './kinesis-properties.js';
import { KINESIS_INGRESS_KIND } from './kinesis-types.js';
import type { ModuleConfig } from './module-types.js';

// What a loaded module allows but most likely did not mean. The loader rejects what cannot be right; these are
// kept out of it (and out of ModuleConfig) so that the runtime, which has the logger, reports them when it is
// created, whoever loaded the module.

/**
 * One finding about a loaded module: valid, but probably a mistake.
 * @experimental
 */
export type ModuleWarning = PolicyWarning | PropertyWarning;

/** A function policy of a type that only a namespace wildcard binds. */
export interface PolicyWarning {
  /** What kind of finding it is; stable, for log filters. */
  readonly warning: 'policy-type-bound-only-by-wildcard';
  /** The document it is about: `"module.yaml document 3"`. */
  readonly source: string;
  /** The function type (`namespace/name`) it is about. */
  readonly functionType: string;
  /** The document whose namespace wildcard (`namespace/*`) is the only binding of the type. */
  readonly boundBy: string;
  /** What was found and what to check, in one sentence. */
  readonly message: string;
}

/** A connector client property that is accepted (StateFun's files load as written) but changes nothing here. */
export interface PropertyWarning {
  readonly warning: 'property-without-effect';
  /** The document it is about. */
  readonly source: string;
  readonly property: string;
  readonly message: string;
}

/**
 * Finds function policies naming an exact type (`ns/name`) that no endpoint binds by that name, only through
 * `ns/*`. The loader accepts them, because a wildcard namespace can receive messages for any name, but a
 * misspelt name (`ns/fial` for `ns/fail`) would then silently limit nothing: the policy applies only if messages
 * for exactly that name arrive.
 *
 * @param module - a loaded module.
 * @returns the findings, in policy order; empty when there is nothing to report.
 */
export function findModuleWarnings(module: Readonly<ModuleConfig>): ModuleWarning[] {
  return [...findPolicyWarnings(module), ...findPropertyWarnings(module)];
}

/** Kinesis `clientConfigProperties` that configure clients Statehouse does not run. */
function findPropertyWarnings(module: Readonly<ModuleConfig>): PropertyWarning[] {
  const documents = [...module.ingresses, ...module.egresses].flatMap((d) =>
    'clientConfigProperties' in d ? [d] : [],
  );
  return documents.flatMap((d) => {
    const role = d.kind === KINESIS_INGRESS_KIND ? 'ingress' : 'egress';
    return [...d.clientConfigProperties.keys()].flatMap((property): PropertyWarning[] => {
      const why = kinesisPropertyWithoutEffect(role, property);
      if (why === undefined) return [];
      return [
        {
          warning: 'property-without-effect',
          source: d.source,
          property,
          message: `${d.source}: clientConfigProperties ${property} has no effect in Statehouse (${why}); it is accepted so that StateFun modules load as written`,
        },
      ];
    });
  });
}

function findPolicyWarnings(module: Readonly<ModuleConfig>): PolicyWarning[] {
  const exactTypes = new Set<string>();
  const wildcards = new Map<string, string>();
  for (const endpoint of module.endpoints) {
    if (endpoint.name === '*') wildcards.set(endpoint.namespace, endpoint.source);
    else exactTypes.add(endpoint.functions);
  }
  return module.policies.flatMap((policy): PolicyWarning[] => {
    const boundBy = wildcards.get(policy.namespace);
    if (policy.name === '*' || exactTypes.has(policy.functions) || boundBy === undefined) return [];
    return [
      {
        warning: 'policy-type-bound-only-by-wildcard',
        source: policy.source,
        functionType: policy.functions,
        boundBy,
        message:
          `the function policy of ${policy.source} names ${policy.functions}, which no endpoint binds by name: ` +
          `only the wildcard ${policy.namespace}/* of ${boundBy} covers it, so the policy applies only if ` +
          `messages for exactly ${JSON.stringify(policy.functions)} arrive; check the spelling of ` +
          'spec.functions (bind the type by name to silence this warning)',
      },
    ];
  });
}
