import { describe, expect, it } from 'vitest';
import { loadModuleFiles } from './load-module.js';
import { createPolicyResolver } from './policy-resolver.js';

const module = loadModuleFiles([
  {
    path: 'module.yaml',
    text: `kind: io.statefun.endpoints.v2/http
spec:
  functions: com.example/*
  urlPathTemplate: http://functions.svc:8000/statefun/{function.name}
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: other/*
  urlPathTemplate: http://other.svc:8000/statefun/{function.name}
---
kind: io.statehouse.functions.v1/policy
spec:
  functions: com.example/*
  maxBacklog: 1000
---
kind: io.statehouse.functions.v1/policy
spec:
  functions: com.example/cart
  maxBacklog: 50
---
kind: io.statehouse.functions.v1/policy
spec:
  functions: com.example/exempt
`,
  },
]);

describe('createPolicyResolver', () => {
  it("gives a type's own policy", () => {
    const resolved = createPolicyResolver(module).resolve('com.example/cart');
    expect(resolved.maxBacklog).toBe(50);
    expect(resolved.policy?.source).toBe('module.yaml document 4');
  });

  it("falls back to the namespace's policy", () => {
    const resolved = createPolicyResolver(module).resolve('com.example/greeter');
    expect(resolved.maxBacklog).toBe(1000);
    expect(resolved.policy?.source).toBe('module.yaml document 3');
  });

  it("takes a type's own policy as a whole: what it leaves out is not taken from the namespace's", () => {
    const resolved = createPolicyResolver(module).resolve('com.example/exempt');
    expect(resolved.maxBacklog).toBeUndefined();
    expect(resolved.policy?.source).toBe('module.yaml document 5');
  });

  it.each(['other/cart', 'com.example', 'com.example/', '/cart', 'com.example/a/b', 'com.example/*', ''])(
    'has no limits for %j',
    (type) => {
      expect(createPolicyResolver(module).resolve(type)).toEqual({
        maxBacklog: undefined,
        policy: undefined,
      });
    },
  );

  it('has no limits in a module without policies', () => {
    const plain = loadModuleFiles([
      {
        path: 'module.yaml',
        text: 'kind: io.statefun.endpoints.v2/http\nspec: { functions: a/*, urlPathTemplate: "http://a/" }\n',
      },
    ]);
    expect(plain.policies).toEqual([]);
    expect(createPolicyResolver(plain).resolve('a/b').maxBacklog).toBeUndefined();
  });

  it('returns frozen results, one per policy document', () => {
    const policies = createPolicyResolver(module);
    const greeter = policies.resolve('com.example/greeter');
    expect(Object.isFrozen(greeter)).toBe(true);
    expect(Object.isFrozen(greeter.policy)).toBe(true);
    expect(policies.resolve('com.example/orders')).toBe(greeter);
    expect(Object.isFrozen(policies.resolve('other/x'))).toBe(true);
  });
});
