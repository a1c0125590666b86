import { describe, expect, it } from 'vitest';
import { loadModuleFiles } from './load-module.js';
import { configErrorOf, endpoint as endpointDoc, load } from './load-module.test-helpers.js';

/** An endpoint document binding `functions` (the policies here are of `example/*`). */
const endpoint = (functions = 'example/*'): string => endpointDoc('', functions);

const policy = (functions: string, extra = ''): string => `kind: io.statehouse.functions.v1/policy
spec:
  functions: ${functions}
${extra}`;

const POLICY = 'io.statehouse.functions.v1/policy';

describe('loadModuleFiles: function policies', () => {
  it('loads a policy of one function type', () => {
    const module = load(`${endpoint()}---\n${policy('example/cart', '  maxBacklog: 100000\n')}`);
    expect(module.policies).toEqual([
      {
        source: 'module.yaml document 2',
        functions: 'example/cart',
        namespace: 'example',
        name: 'cart',
        maxBacklog: 100_000,
      },
    ]);
    expect(module.endpoints).toHaveLength(1);
  });

  it('loads a namespace wildcard policy, a maxBacklog written as a string, and a policy without limits', () => {
    const module = load(
      `${endpoint()}---\n${policy('example/*', '  maxBacklog: "500"\n')}---\n${policy('example/exempt')}`,
    );
    expect(module.policies.map((p) => [p.functions, p.namespace, p.name, p.maxBacklog])).toEqual([
      ['example/*', 'example', '*', 500],
      ['example/exempt', 'example', 'exempt', undefined],
    ]);
  });

  it('accepts a policy bound by an endpoint of another file, in file and document order', () => {
    const module = loadModuleFiles([
      { path: 'policies.yaml', text: `${policy('a/x', '  maxBacklog: 1\n')}---\n${policy('b/*')}` },
      { path: 'endpoints.yaml', text: `${endpoint('a/*')}---\n${endpoint('b/y')}` },
    ]);
    expect(module.policies.map((p) => [p.source, p.functions])).toEqual([
      ['policies.yaml document 1', 'a/x'],
      ['policies.yaml document 2', 'b/*'],
    ]);
  });

  it('returns the policies deeply frozen', () => {
    const module = load(`${endpoint()}---\n${policy('example/*', '  maxBacklog: 10\n')}`);
    expect(Object.isFrozen(module.policies)).toBe(true);
    expect(Object.isFrozen(module.policies[0])).toBe(true);
  });

  it('rejects the same function type twice across files, naming both', () => {
    const message = configErrorOf(
      () =>
        loadModuleFiles([
          { path: 'a.yaml', text: `${endpoint()}---\n${policy('example/cart', '  maxBacklog: 5\n')}` },
          { path: 'b.yaml', text: `${policy('example/*')}---\n${policy('example/cart')}` },
        ]),
      'ERR_CONFIG_DUPLICATE_FUNCTION_POLICY',
    );
    expect(message).toBe(
      `b.yaml, document 2 (${POLICY}): spec.functions: function type "example/cart" already has a policy in ` +
        'a.yaml document 2; write one policy per function type (merge the two documents) (line 7)',
    );
  });

  it('rejects the same namespace wildcard twice, naming both', () => {
    const message = configErrorOf(
      () => load(`${endpoint()}---\n${policy('example/*')}---\n${policy('example/*', '  maxBacklog: 1\n')}`),
      'ERR_CONFIG_DUPLICATE_FUNCTION_POLICY',
    );
    expect(message).toContain(
      `module.yaml, document 3 (${POLICY}): spec.functions: namespace "example" already has a policy ` +
        '(example/*) in module.yaml document 2; write one policy per namespace',
    );
  });

  it('rejects a policy of a function type that no endpoint binds', () => {
    const message = configErrorOf(
      () => load(`${endpoint('example/cart')}---\n${policy('example/carts', '  maxBacklog: 1\n')}`),
      'ERR_CONFIG_UNBOUND_FUNCTION_POLICY',
    );
    expect(message).toBe(
      `module.yaml, document 2 (${POLICY}): spec.functions: no endpoint binds function type "example/carts" ` +
        '(neither it nor example/* is bound), so this policy would apply to nothing; fix the name or add an ' +
        'endpoint for it (line 8)',
    );
  });

  it('rejects a namespace policy where no endpoint binds a type of the namespace', () => {
    const message = configErrorOf(
      () => load(`${endpoint('example/*')}---\n${policy('exmaple/*')}`),
      'ERR_CONFIG_UNBOUND_FUNCTION_POLICY',
    );
    expect(message).toContain(
      `module.yaml, document 2 (${POLICY}): spec.functions: no endpoint binds a function type of namespace ` +
        '"exmaple"',
    );
  });

  it('accepts a namespace policy over specific bindings only', () => {
    const module = load(`${endpoint('example/cart')}---\n${policy('example/*', '  maxBacklog: 1\n')}`);
    expect(module.policies).toHaveLength(1);
  });

  it('rejects a module of policies only, naming the policy', () => {
    expect(configErrorOf(() => load(policy('example/cart')), 'ERR_CONFIG_UNBOUND_FUNCTION_POLICY')).toContain(
      `module.yaml, document 1 (${POLICY}): spec.functions: no endpoint binds function type "example/cart"`,
    );
  });

  it('loads a dead-letter policy with attempts and age', () => {
    const module = load(
      `${endpoint()}---\n${policy('example/cart', '  deadLetters:\n    maxAttempts: 5\n    maxAge: 10m\n')}`,
    );
    expect(module.policies[0]?.deadLetters).toEqual({ maxAttempts: 5, maxAgeMs: 600_000 });
    expect(Object.isFrozen(module.policies[0]?.deadLetters)).toBe(true);
  });

  it('loads a dead-letter policy with one limit only, and none by default', () => {
    const module = load(
      `${endpoint()}---\n${policy('example/*', '  deadLetters:\n    maxAge: 30s\n')}---\n${policy('example/x')}`,
    );
    expect(module.policies.map((p) => p.deadLetters)).toEqual([
      { maxAttempts: undefined, maxAgeMs: 30_000 },
      undefined,
    ]);
  });

  it('rejects a misspelt dead-letter field, naming it', () => {
    const message = configErrorOf(
      () => load(`${endpoint()}---\n${policy('example/cart', '  deadLetters:\n    maxAttempt: 5\n')}`),
      'ERR_CONFIG_UNKNOWN_FIELD',
    );
    expect(message).toContain(`module.yaml, document 2 (${POLICY}): spec.deadLetters.maxAttempt`);
  });

  it('rejects a dead-letter policy without limits and a non-positive attempt count', () => {
    expect(
      configErrorOf(
        () => load(`${endpoint()}---\n${policy('example/cart', '  deadLetters: {}\n')}`),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.deadLetters: set maxAttempts, maxAge or both');
    expect(
      configErrorOf(
        () => load(`${endpoint()}---\n${policy('example/cart', '  deadLetters:\n    maxAttempts: 0\n')}`),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.deadLetters.maxAttempts');
  });
});
