import { describe, expect, it } from 'vitest';
import { loadModuleFiles } from './load-module.js';
import { endpoint, load } from './load-module.test-helpers.js';
import { findModuleWarnings } from './module-warnings.js';

const policy = (functions: string): string =>
  `kind: io.statehouse.functions.v1/policy\nspec:\n  functions: ${functions}\n  maxBacklog: 10\n`;

describe('findModuleWarnings', () => {
  it('reports a policy of a type that only a namespace wildcard binds (a misspelt name loads)', () => {
    const module = load(`${endpoint('', 't/*')}---\n${policy('t/fial')}`);
    expect(module.policies).toHaveLength(1);
    expect(findModuleWarnings(module)).toEqual([
      {
        warning: 'policy-type-bound-only-by-wildcard',
        source: 'module.yaml document 2',
        functionType: 't/fial',
        boundBy: 'module.yaml document 1',
        message:
          'the function policy of module.yaml document 2 names t/fial, which no endpoint binds by name: only ' +
          'the wildcard t/* of module.yaml document 1 covers it, so the policy applies only if messages for ' +
          'exactly "t/fial" arrive; check the spelling of spec.functions (bind the type by name to silence ' +
          'this warning)',
      },
    ]);
  });

  it('names the documents across files', () => {
    const module = loadModuleFiles([
      { path: 'policies.yaml', text: policy('t/fial') },
      { path: 'endpoints.yaml', text: endpoint('', 't/*') },
    ]);
    expect(findModuleWarnings(module)).toMatchObject([
      { source: 'policies.yaml document 1', boundBy: 'endpoints.yaml document 1' },
    ]);
  });

  it('reports nothing for a type bound by name (also next to its wildcard) or a namespace policy', () => {
    expect(findModuleWarnings(load(`${endpoint('', 't/fail')}---\n${policy('t/fail')}`))).toEqual([]);
    expect(
      findModuleWarnings(
        load(`${endpoint('', 't/*')}---\n${endpoint('', 't/fail')}---\n${policy('t/fail')}`),
      ),
    ).toEqual([]);
    expect(findModuleWarnings(load(`${endpoint('', 't/*')}---\n${policy('t/*')}`))).toEqual([]);
    expect(findModuleWarnings(load(endpoint('', 't/*')))).toEqual([]);
  });

  it('reports Kinesis client properties that have no effect here, once each', () => {
    const module = load(
      'kind: io.statefun.kinesis.v1/egress\nspec:\n  id: a/out\n  clientConfigProperties:\n' +
        '    - ThreadingModel: POOLED\n    - CollectionMaxCount: 100\n',
    );
    expect(findModuleWarnings(module)).toEqual([
      {
        warning: 'property-without-effect',
        source: 'module.yaml document 1',
        property: 'ThreadingModel',
        message:
          'module.yaml document 1: clientConfigProperties ThreadingModel has no effect in Statehouse (Statehouse ' +
          'puts records with the AWS SDK, not the Kinesis Producer Library); it is accepted so that StateFun ' +
          'modules load as written',
      },
    ]);
  });
});
