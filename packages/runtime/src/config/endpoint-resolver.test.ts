import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createEndpointResolver, FunctionTypeRouter } from './endpoint-resolver.js';
import { loadModuleFiles } from './load-module.js';

const module = loadModuleFiles([
  {
    path: 'module.yaml',
    text: `kind: io.statefun.endpoints.v2/http
spec:
  functions: com.example/*
  urlPathTemplate: http://functions.svc:8000/statefun/{function.name}/v/{function.name}
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: com.example/greeter
  urlPathTemplate: https://greeter.internal/invoke
---
kind: io.statefun.endpoints.v1/http
spec:
  functions: com.sidecar/*
  urlPathTemplate: http+unix:///var/run/fn.sock/statefun/{function.name}
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: com.hosts/*
  urlPathTemplate: http://{function.name}.svc/
`,
  },
]);

describe('FunctionTypeRouter', () => {
  it('resolves a namespace wildcard, replacing every {function.name}', () => {
    const resolved = createEndpointResolver(module).resolve('com.example/cart');
    expect(resolved?.url).toBe('http://functions.svc:8000/statefun/cart/v/cart');
    expect(resolved?.endpoint.source).toBe('module.yaml document 1');
    expect(resolved).not.toHaveProperty('socketPath');
  });

  it('prefers a specific binding over the namespace wildcard', () => {
    const resolved = createEndpointResolver(module).resolve('com.example/greeter');
    expect(resolved?.url).toBe('https://greeter.internal/invoke');
    expect(resolved?.endpoint.source).toBe('module.yaml document 2');
  });

  it('gives the socket path of a unix domain socket endpoint', () => {
    expect(createEndpointResolver(module).resolve('com.sidecar/fn')).toMatchObject({
      url: 'http://localhost/statefun/fn',
      socketPath: '/var/run/fn.sock',
    });
  });

  it.each(['other/cart', 'com.example', 'com.example/', '/cart', 'com.example/a/b', 'com.example/*', ''])(
    'does not resolve %j',
    (type) => {
      expect(createEndpointResolver(module).resolve(type)).toBeUndefined();
    },
  );

  it('caches results, bounded by cacheSize', () => {
    const router = new FunctionTypeRouter(module, { cacheSize: 2 });
    const cart = router.resolve('com.example/cart');
    expect(router.resolve('com.example/cart')).toBe(cart);
    router.resolve('com.example/a');
    router.resolve('com.example/cart'); // most recently used again
    router.resolve('com.example/b'); // evicts com.example/a
    expect(router.resolve('com.example/cart')).toBe(cart);
    const uncached = new FunctionTypeRouter(module, { cacheSize: 0 });
    expect(uncached.resolve('com.example/cart')).not.toBe(uncached.resolve('com.example/cart'));
    expect(uncached.resolve('com.example/cart')).toEqual(cart);
  });

  it('returns frozen results', () => {
    const resolved = createEndpointResolver(module).resolve('com.example/cart');
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved?.endpoint)).toBe(true);
  });

  it('throws ERR_CONFIG_INVALID_URL when a name cannot be a host name', () => {
    const router = createEndpointResolver(module);
    expect(router.resolve('com.hosts/orders')?.url).toBe('http://orders.svc/');
    let error: unknown;
    try {
      router.resolve('com.hosts/a<b');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID_URL' });
  });
});
