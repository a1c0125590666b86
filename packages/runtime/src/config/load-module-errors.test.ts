import { describe, expect, it } from 'vitest';
import { loadModuleFiles } from './load-module.js';
import { configErrorOf, endpoint, load } from './load-module.test-helpers.js';
import type { ConfigError } from '../errors.js';

const V2 = 'module.yaml, document 1 (io.statefun.endpoints.v2/http)';

describe('loadModuleFiles: errors', () => {
  it('names file, document, kind, field, value and what is accepted', () => {
    const text = `${endpoint()}---\n${endpoint('  maxNumBatchRequests: ten\n', 'x/y')}`;
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_INVALID_VALUE')).toBe(
      'module.yaml, document 2 (io.statefun.endpoints.v2/http): spec.maxNumBatchRequests: ' +
        'expected an integer, got "ten" (line 10)',
    );
  });

  it('rejects an unknown field, listing the accepted ones', () => {
    const message = configErrorOf(
      () => load(endpoint('  transport:\n    pool_sise: 3\n')),
      'ERR_CONFIG_UNKNOWN_FIELD',
    );
    expect(message).toContain(`${V2}: spec.transport.pool_sise: unknown field`);
    expect(message).toContain('pool_size');
    expect(message).toContain('(line 6)');
  });

  it('rejects an unknown spec field and an unknown top-level field', () => {
    expect(configErrorOf(() => load(endpoint('  timeout: 5s\n')), 'ERR_CONFIG_UNKNOWN_FIELD')).toContain(
      `${V2}: spec.timeout: unknown field; the accepted fields are: functions, urlPathTemplate, ` +
        'maxNumBatchRequests, transport',
    );
    expect(configErrorOf(() => load(`${endpoint()}extra: 1\n`), 'ERR_CONFIG_UNKNOWN_FIELD')).toContain(
      'module.yaml, document 1: extra: unknown field; a document has only the fields kind and spec',
    );
  });

  it('rejects a missing required field', () => {
    const message = configErrorOf(
      () => load('kind: io.statefun.endpoints.v2/http\nspec:\n  functions: a/*\n'),
      'ERR_CONFIG_MISSING_FIELD',
    );
    expect(message).toContain(`${V2}: spec.urlPathTemplate: is required`);
    expect(
      configErrorOf(() => load('kind: io.statefun.endpoints.v2/http\n'), 'ERR_CONFIG_MISSING_FIELD'),
    ).toContain(`${V2}: spec: is required`);
    expect(configErrorOf(() => load('spec: {}\n'), 'ERR_CONFIG_MISSING_FIELD')).toContain(
      'module.yaml, document 1: kind: is required; the supported kinds are',
    );
  });

  it('rejects values of the wrong type', () => {
    expect(
      configErrorOf(() => load('kind: io.statefun.endpoints.v2/http\nspec:\n'), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(`${V2}: spec: expected a mapping, got null (an empty value)`);
    expect(configErrorOf(() => load('kind: 5\nspec: {}\n'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'module.yaml, document 1: kind: expected a string, got 5',
    );
    expect(configErrorOf(() => load(endpoint('', '[a/b]')), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      `${V2}: spec.functions: expected a string, got a list`,
    );
    expect(configErrorOf(() => load('- a\n- b\n'), 'ERR_CONFIG_INVALID_DOCUMENT')).toContain(
      'module.yaml, document 1: expected a mapping with the fields kind and spec, got a list',
    );
  });

  it('rejects an invalid duration', () => {
    const message = configErrorOf(
      () => load(endpoint('  transport:\n    call: 2 fortnights\n')),
      'ERR_CONFIG_INVALID_DURATION',
    );
    expect(message).toContain(`${V2}: spec.transport.call: expected a duration`);
    expect(message).toContain('got "2 fortnights"');
    expect(
      configErrorOf(
        () =>
          load(
            endpoint('  transport:\n    type: io.statefun.transports.v1/okhttp\n    timeouts: { read: 0 }\n'),
          ),
        'ERR_CONFIG_INVALID_DURATION',
      ),
    ).toContain(`${V2}: spec.transport.timeouts.read: expected a duration greater than 0, got 0`);
  });

  it('rejects invalid integers', () => {
    expect(
      configErrorOf(() => load(endpoint('  transport:\n    pool_size: 0\n')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(`${V2}: spec.transport.pool_size: expected a positive integer, got 0`);
    expect(
      configErrorOf(() => load(endpoint('  maxNumBatchRequests: 1.5\n')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(`${V2}: spec.maxNumBatchRequests: expected an integer, got 1.5`);
  });

  it('rejects an unknown transport type, listing the accepted ones', () => {
    const message = configErrorOf(
      () => load(endpoint('  transport:\n    type: io.statefun.transports.v1/netty\n')),
      'ERR_CONFIG_INVALID_VALUE',
    );
    expect(message).toContain(
      `${V2}: spec.transport.type: expected one of "io.statefun.transports.v1/async", ` +
        '"io.statefun.transports.v1/okhttp", got "io.statefun.transports.v1/netty"',
    );
  });

  it('rejects fields of the other transport', () => {
    expect(
      configErrorOf(
        () => load(endpoint('  transport:\n    type: io.statefun.transports.v1/okhttp\n    pool_size: 5\n')),
        'ERR_CONFIG_UNKNOWN_FIELD',
      ),
    ).toContain(`${V2}: spec.transport.pool_size: unknown field; the accepted fields are: type, timeouts`);
    expect(
      configErrorOf(
        () => load(endpoint('  transport:\n    timeouts: { read: 5s }\n')),
        'ERR_CONFIG_UNKNOWN_FIELD',
      ),
    ).toContain(`${V2}: spec.transport.timeouts.read: unknown field; the accepted fields are: call, connect`);
  });

  it('rejects okhttp timeouts that exceed call', () => {
    const message = configErrorOf(
      () =>
        load(
          endpoint(
            '  transport:\n    type: io.statefun.transports.v1/okhttp\n    timeouts: { call: 5s, read: 6s, connect: 1s, write: 1s }\n',
          ),
        ),
      'ERR_CONFIG_CONFLICTING_FIELDS',
    );
    expect(message).toContain(`${V2}: spec.transport.timeouts.read: must not exceed timeouts.call (5000 ms)`);
  });

  it('rejects both legacy timeouts and call/connect, naming both', () => {
    const message = configErrorOf(
      () => load(endpoint('  transport:\n    call: 1m\n    timeouts: { call: 2m }\n')),
      'ERR_CONFIG_CONFLICTING_FIELDS',
    );
    expect(message).toContain(`${V2}: spec.transport.call: conflicts with timeouts.call`);
  });

  it('requires client_cert and client_key together', () => {
    expect(
      configErrorOf(
        () => load(endpoint('  transport:\n    client_cert: /c.pem\n')),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toContain(`${V2}: spec.transport.client_key: is required when client_cert is set`);
    expect(
      configErrorOf(
        () => load(endpoint('  transport:\n    client_key: /c.key\n')),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toContain(`${V2}: spec.transport.client_cert: is required when client_key is set`);
    expect(
      configErrorOf(
        () => load(endpoint('  transport:\n    trust_cacerts: classpath:ca.pem\n')),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain(`${V2}: spec.transport.trust_cacerts: expected a file path`);
  });

  it.each([
    ['a/b/c', 'exactly one "/"'],
    ['ab', 'exactly one "/"'],
    ['/b', 'non-empty namespace and name'],
    ['a/', 'non-empty namespace and name'],
    ['"*/b"', '"*" is allowed only as the whole name'],
    ['a/b*', '"*" is allowed only as the whole name'],
    ['"a/ b"', 'without whitespace'],
  ])('rejects the function binding %s', (functions, problem) => {
    const message = configErrorOf(() => load(endpoint('', functions)), 'ERR_CONFIG_INVALID_TYPENAME');
    expect(message).toContain(`${V2}: spec.functions: `);
    expect(message).toContain(problem);
    expect(message).toContain(`got ${JSON.stringify(functions.replaceAll('"', ''))}`);
  });

  it('rejects invalid egress ids and URLs', () => {
    expect(
      configErrorOf(
        () => load('kind: io.statehouse.egress.v1/log\nspec:\n  id: a/*\n'),
        'ERR_CONFIG_INVALID_TYPENAME',
      ),
    ).toContain(
      'module.yaml, document 1 (io.statehouse.egress.v1/log): spec.id: expected namespace/name; "*" is not allowed here, got "a/*"',
    );
    expect(
      configErrorOf(
        () => load('kind: io.statehouse.egress.v1/http\nspec:\n  id: a/b\n  url: ftp://x/y\n'),
        'ERR_CONFIG_INVALID_URL',
      ),
    ).toContain('module.yaml, document 1 (io.statehouse.egress.v1/http): spec.url: unsupported scheme "ftp"');
    expect(
      configErrorOf(
        () => load('kind: io.statehouse.egress.v1/http\nspec:\n  id: a/b\n'),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toContain('spec.url: is required');
  });

  it('rejects invalid egress retention, naming the field', () => {
    const log = (retention: string): string =>
      `kind: io.statehouse.egress.v1/log\nspec:\n  id: a/b\n  retention: ${retention}\n`;
    expect(configErrorOf(() => load(log('{maxAge: forever}')), 'ERR_CONFIG_INVALID_DURATION')).toContain(
      'spec.retention.maxAge: expected a duration',
    );
    expect(configErrorOf(() => load(log('{maxRecords: 0}')), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'spec.retention.maxRecords: expected a whole number of records ≥ 1',
    );
    expect(configErrorOf(() => load(log('{maxAges: 2d}')), 'ERR_CONFIG_UNKNOWN_FIELD')).toContain(
      'spec.retention.maxAges: unknown field; the accepted fields are: maxAge, maxRecords',
    );
    expect(configErrorOf(() => load(log('{deliveredGrace: 1s}')), 'ERR_CONFIG_UNKNOWN_FIELD')).toContain(
      'spec.retention.deliveredGrace: unknown field',
    );
    expect(
      configErrorOf(
        () =>
          load(
            'kind: io.statehouse.egress.v1/http\nspec:\n  id: a/b\n  url: http://x/y\n  retention: {grace: 1s}\n',
          ),
        'ERR_CONFIG_UNKNOWN_FIELD',
      ),
    ).toContain(
      'spec.retention.grace: unknown field; the accepted fields are: maxAge, maxRecords, deliveredGrace',
    );
  });

  it('rejects an invalid function policy, naming the field', () => {
    const policy = (spec: string): string =>
      `${endpoint()}---\nkind: io.statehouse.functions.v1/policy\nspec:\n  functions: com.example/cart\n${spec}`;
    const P = 'module.yaml, document 2 (io.statehouse.functions.v1/policy)';
    expect(configErrorOf(() => load(policy('  maxBacklogs: 10\n')), 'ERR_CONFIG_UNKNOWN_FIELD')).toBe(
      `${P}: spec.maxBacklogs: unknown field; the accepted fields are: functions, maxBacklog, deadLetters (line 9)`,
    );
    for (const value of ['0', '-5', '1.5', 'ten', '"1e3"', '{}', '"+5"', '" 7 "']) {
      expect(
        configErrorOf(() => load(policy(`  maxBacklog: ${value}\n`)), 'ERR_CONFIG_INVALID_VALUE'),
      ).toContain(`${P}: spec.maxBacklog: expected a positive integer (messages), got `);
    }
    expect(
      configErrorOf(
        () => load(`${endpoint()}---\nkind: io.statehouse.functions.v1/policy\nspec: { maxBacklog: 1 }\n`),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toContain(`${P}: spec.functions: is required`);
    expect(
      configErrorOf(
        () => load(`${endpoint()}---\nkind: io.statehouse.functions.v1/policy\nspec: { functions: a/b/c }\n`),
        'ERR_CONFIG_INVALID_TYPENAME',
      ),
    ).toContain(`${P}: spec.functions: expected namespace/name or namespace/* with exactly one "/"`);
  });

  it('rejects an invalid urlPathTemplate', () => {
    const text =
      'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: a/*\n  urlPathTemplate: http://svc/{function.id}\n';
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_INVALID_URL')).toContain(
      `${V2}: spec.urlPathTemplate: unknown placeholder "{function.id}"; the only placeholder is {function.name}`,
    );
  });

  it('rejects unknown kinds, listing the supported ones', () => {
    const message = configErrorOf(
      () => load(`${endpoint()}---\nkind: io.statefun.endpoints.v3/http\nspec: {}\n`),
      'ERR_CONFIG_UNKNOWN_KIND',
    );
    expect(message).toContain('module.yaml, document 2: unknown kind "io.statefun.endpoints.v3/http"');
    for (const kind of [
      'io.statefun.endpoints.v2/http',
      'io.statefun.endpoints.v1/http',
      'io.statehouse.egress.v1/log',
      'io.statehouse.egress.v1/http',
      'io.statehouse.functions.v1/policy',
      'io.statefun.kafka.v1/ingress',
      'io.statefun.kafka.v1/egress',
      'io.statefun.kinesis.v1/ingress',
      'io.statefun.kinesis.v1/egress',
    ]) {
      expect(message).toContain(kind);
    }
  });

  it('rejects the legacy version/module format', () => {
    const text = 'version: "3.0"\nmodule:\n  meta: { type: remote }\n  spec: { endpoints: [] }\n';
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_LEGACY_FORMAT')).toContain(
      'module.yaml, document 1: the legacy "version"/"module" format',
    );
  });

  it('reports YAML syntax errors with file and line', () => {
    const message = configErrorOf(
      () => load(`${endpoint()}  bad: [\n`, 'cfg/m.yaml'),
      'ERR_CONFIG_YAML_SYNTAX',
    );
    expect(message).toMatch(
      /^cfg\/m\.yaml:6:1 \(document 1\): invalid YAML: the indentation is wrong, or a \[ or \{ is not closed \(BAD_INDENT\)$/u,
    );
    expect(configErrorOf(() => load(`${endpoint()}  functions: b/*\n`), 'ERR_CONFIG_YAML_SYNTAX')).toMatch(
      /^module\.yaml:5:3 \(document 1\): invalid YAML: a mapping key is repeated .*\(DUPLICATE_KEY\)$/u,
    );
  });

  it.each([
    'http://user:PASS-SECRET@functions.svc:8000/statefun/{function.name}',
    'https://PASS-SECRET@functions.svc/statefun',
    'http://user:PASS-SECRET@functions.svc:8000/{function.nam}',
  ])('refuses credentials in urlPathTemplate %s, masking them', (template) => {
    const text = endpoint().replace('http://functions.svc:8000/statefun/{function.name}', template);
    const message = configErrorOf(() => load(text), 'ERR_CONFIG_INVALID_VALUE');
    expect(message).toContain('urlPathTemplate');
    expect(message).toContain('must not hold credentials');
    expect(message).toContain('put credentials in a proxy or use signed calls');
    expect(message).toContain('://***@functions.svc');
    expect(message).not.toContain('PASS-SECRET');
  });

  it('does not quote the offending line of a YAML syntax error (it may hold a password)', () => {
    const text = `${endpoint()}---\nkind: io.statefun.kafka.v1/ingress\nspec:\n  properties:\n    - sasl.password: "s3cr3t-PW\\q"\n      x: [\n`;
    const error = (() => {
      try {
        load(text);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(error.code).toBe('ERR_CONFIG_YAML_SYNTAX');
    expect(error.message).toMatch(/^module\.yaml:\d+:\d+ \(document 2\): invalid YAML: /u);
    expect(error.message).not.toContain('s3cr3t');
    expect(error.cause).toBeUndefined();
  });

  it.each([
    ['a list', '  ? [a, b]\n  : c\n'],
    ['a !!binary value', '  !!binary aGk=: c\n'],
  ])('refuses a mapping key that is %s, at its line', (_, key) => {
    expect(configErrorOf(() => load(`${endpoint()}${key}`), 'ERR_CONFIG_YAML_SYNTAX')).toMatch(
      /^module\.yaml:5:\d+ \(document 1\): a mapping key is not a plain name/u,
    );
  });

  it('rejects a module without components', () => {
    expect(configErrorOf(() => load('# empty\n'), 'ERR_CONFIG_EMPTY_MODULE')).toContain(
      'module.yaml: no components found',
    );
    expect(configErrorOf(() => loadModuleFiles([]), 'ERR_CONFIG_EMPTY_MODULE')).toContain(
      'no components found',
    );
  });

  it('does not report the value of a field when it is absent', () => {
    const message = configErrorOf(
      () => load(endpoint('  transport:\n    client_cert: /c.pem\n')),
      'ERR_CONFIG_MISSING_FIELD',
    );
    expect(message).not.toContain('got');
  });
});
