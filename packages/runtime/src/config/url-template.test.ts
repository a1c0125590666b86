import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  checkHttpUrl,
  checkUrlCredentials,
  checkUrlTemplate,
  expandUrlTemplate,
  maskUrlCredentials,
} from './url-template.js';

describe('checkUrlTemplate', () => {
  it.each([
    'http://svc:8000/{function.name}',
    'https://billing.internal/invoke',
    'HTTP://svc/statefun',
    'http://svc/{function.name}/and/{function.name}',
    'http+unix:///var/run/fn.sock/statefun',
    'https+unix:///fn.sock',
  ])('accepts %s', (template) => {
    expect(checkUrlTemplate(template)).toBeUndefined();
  });

  it.each([
    ['ftp://svc/x', 'unsupported scheme "ftp"'],
    ['svc:8000/x', 'unsupported scheme "svc"'],
    ['/statefun', 'expected an absolute URL'],
    ['http://svc/{function.namespace}', 'unknown placeholder "{function.namespace}"'],
    ['http://', 'not a valid URL'],
    ['http+unix://host/var/fn.sock/x', 'expected http+unix:///<path to socket>.sock/<http path>'],
    ['http+unix:///var/run/fn/statefun', 'no path segment ends in ".sock"'],
  ])('rejects %s', (template, problem) => {
    expect(checkUrlTemplate(template)).toContain(problem);
  });
});

describe('expandUrlTemplate', () => {
  it('replaces every {function.name} with the name', () => {
    expect(expandUrlTemplate('http://svc/{function.name}/x/{function.name}', 'greeter')).toEqual({
      url: 'http://svc/greeter/x/greeter',
    });
  });

  it('URL-encodes names with reserved characters', () => {
    expect(expandUrlTemplate('http://svc/{function.name}', 'a b?c').url).toBe('http://svc/a%20b%3Fc');
  });

  it('splits unix socket templates into a socket path and an HTTP path', () => {
    expect(expandUrlTemplate('http+unix:///var/run/fn.sock/statefun/{function.name}', 'greeter')).toEqual({
      url: 'http://localhost/statefun/greeter',
      socketPath: '/var/run/fn.sock',
    });
    expect(expandUrlTemplate('https+unix:///fn.sock', 'x')).toEqual({
      url: 'http://localhost/',
      socketPath: '/fn.sock',
    });
  });

  it('throws ERR_CONFIG_INVALID_URL when the name breaks the host', () => {
    expect(() => expandUrlTemplate('http://{function.name}.svc/', 'a b')).toThrow(
      expect.objectContaining({ constructor: ConfigError, code: 'ERR_CONFIG_INVALID_URL' }) as Error,
    );
  });
});

describe('checkHttpUrl', () => {
  it('accepts http and https URLs only', () => {
    expect(checkHttpUrl('https://hooks.example.com/cart')).toBeUndefined();
    expect(checkHttpUrl('http+unix:///a.sock/x')).toContain('expected an http:// or https:// URL');
    expect(checkHttpUrl('mailto:x@y')).toContain('unsupported scheme');
  });
});

describe('checkUrlCredentials', () => {
  it('finds user-info in the authority only', () => {
    expect(checkUrlCredentials('http://u:p@svc/x')).toContain(
      'put credentials in a proxy or use signed calls',
    );
    expect(checkUrlCredentials('http://token@svc/x')).toBeDefined();
    expect(checkUrlCredentials('http://svc/x@y?a=b@c')).toBeUndefined();
    expect(checkUrlCredentials('http+unix:///run/fn.sock/x')).toBeUndefined();
    expect(maskUrlCredentials('http://u:p@svc/{function.name}')).toBe('http://***@svc/{function.name}');
  });
});
