import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATEFUN_REFERENCE_ASYNC_ENDPOINT, STATEFUN_REFERENCE_KAFKA_DOCUMENTS } from '@statehouse/testkit';
import { ConfigError } from '../errors.js';
import { loadModuleFile, loadModuleFiles } from './load-module.js';
import { configErrorOf, endpoint, kafkaIngressOf, load } from './load-module.test-helpers.js';
import type { ModuleConfig } from './module-types.js';

describe('loadModuleFiles: happy paths', () => {
  it('loads a v2 endpoint with every default (async transport)', () => {
    expect(load(endpoint())).toEqual({
      endpoints: [
        {
          source: 'module.yaml document 1',
          kind: 'io.statefun.endpoints.v2/http',
          functions: 'com.example/*',
          namespace: 'com.example',
          name: '*',
          urlPathTemplate: 'http://functions.svc:8000/statefun/{function.name}',
          maxNumBatchRequests: 1000,
          transport: {
            type: 'async',
            callMs: 120_000,
            connectMs: 20_000,
            poolTtlMs: 15_000,
            poolSize: 1024,
            payloadMaxBytes: 33_554_432,
          },
        },
      ],
      egresses: [],
      ingresses: [],
      policies: [],
    });
  });

  it('loads every async transport property', () => {
    const module = load(
      endpoint(`  maxNumBatchRequests: 500
  transport:
    type: io.statefun.transports.v1/async
    call: 3m
    connect: 5 s
    pool_ttl: 0
    pool_size: "16"
    payload_max_bytes: 1048576
    trust_cacerts: /etc/ca.pem
    client_cert: file:///etc/client.pem
    client_key: /etc/client.key
    client_key_password: /etc/client.pass
`),
    );
    expect(module.endpoints[0]).toMatchObject({
      maxNumBatchRequests: 500,
      transport: {
        type: 'async',
        callMs: 180_000,
        connectMs: 5_000,
        poolTtlMs: 0,
        poolSize: 16,
        payloadMaxBytes: 1_048_576,
        tls: {
          trustCaCertsPath: '/etc/ca.pem',
          clientCertPath: '/etc/client.pem',
          clientKeyPath: '/etc/client.key',
          clientKeyPasswordPath: '/etc/client.pass',
        },
      },
    });
  });

  it('applies the legacy async `timeouts` with its own defaults', () => {
    const set = load(endpoint('  transport:\n    timeouts:\n      call: 30s\n'));
    expect(set.endpoints[0]?.transport).toMatchObject({ callMs: 30_000, connectMs: 10_000 });
    const empty = load(endpoint('  transport:\n    timeouts: {}\n'));
    expect(empty.endpoints[0]?.transport).toMatchObject({ callMs: 60_000, connectMs: 10_000 });
  });

  it('loads the okhttp transport with its defaults', () => {
    const module = load(endpoint('  transport:\n    type: io.statefun.transports.v1/okhttp\n'));
    expect(module.endpoints[0]?.transport).toEqual({
      type: 'okhttp',
      callMs: 60_000,
      connectMs: 10_000,
      readMs: 10_000,
      writeMs: 10_000,
      poolTtlMs: 60_000,
      poolSize: 1024,
      payloadMaxBytes: 33_554_432,
    });
  });

  it('treats maxNumBatchRequests <= 0 as unlimited', () => {
    expect(load(endpoint('  maxNumBatchRequests: 0\n')).endpoints[0]?.maxNumBatchRequests).toBe(Infinity);
    expect(load(endpoint('  maxNumBatchRequests: -1\n')).endpoints[0]?.maxNumBatchRequests).toBe(Infinity);
  });

  it('loads a v1 endpoint (okhttp, spec-level timeouts)', () => {
    const module = load(`kind: io.statefun.endpoints.v1/http
spec:
  functions: com.example/greeter
  urlPathTemplate: https://svc/statefun
  timeouts:
    call: 2 min
    read: 1 min
`);
    expect(module.endpoints[0]).toEqual({
      source: 'module.yaml document 1',
      kind: 'io.statefun.endpoints.v1/http',
      functions: 'com.example/greeter',
      namespace: 'com.example',
      name: 'greeter',
      urlPathTemplate: 'https://svc/statefun',
      maxNumBatchRequests: 1000,
      transport: {
        type: 'okhttp',
        callMs: 120_000,
        connectMs: 10_000,
        readMs: 60_000,
        writeMs: 10_000,
        poolTtlMs: 60_000,
        poolSize: 1024,
        payloadMaxBytes: 33_554_432,
      },
    });
  });

  it('loads log and http egresses', () => {
    const module = load(`kind: io.statehouse.egress.v1/log
spec:
  id: example/results
---
kind: io.statehouse.egress.v1/http
spec:
  id: example/webhook
  url: https://hooks.example.com/cart?token=abc
`);
    expect(module).toEqual({
      endpoints: [],
      egresses: [
        {
          source: 'module.yaml document 1',
          kind: 'log',
          id: 'example/results',
          retention: { maxAgeMs: 7 * 24 * 3600 * 1000, maxRecords: undefined },
        },
        {
          source: 'module.yaml document 2',
          kind: 'http',
          id: 'example/webhook',
          url: 'https://hooks.example.com/cart?token=abc',
          retention: { maxAgeMs: undefined, maxRecords: undefined, deliveredGraceMs: 60_000 },
        },
      ],
      ingresses: [],
      policies: [],
    });
  });

  it('loads egress retention: maxAge, maxRecords, deliveredGrace; only maxRecords drops the age default', () => {
    const module = load(`kind: io.statehouse.egress.v1/log
spec:
  id: example/a
  retention: {maxAge: 2d, maxRecords: "1000"}
---
kind: io.statehouse.egress.v1/log
spec:
  id: example/b
  retention: {maxRecords: 10}
---
kind: io.statehouse.egress.v1/http
spec:
  id: example/c
  url: http://127.0.0.1:9/hook
  retention: {maxAge: 1h, deliveredGrace: 0}
`);
    expect(module.egresses.map((e) => ('retention' in e ? e.retention : undefined))).toEqual([
      { maxAgeMs: 2 * 24 * 3600 * 1000, maxRecords: 1000 },
      { maxAgeMs: undefined, maxRecords: 10 },
      { maxAgeMs: 3600 * 1000, maxRecords: undefined, deliveredGraceMs: 0 },
    ]);
  });

  it('skips empty documents but keeps counting them', () => {
    const module = load(`---
# nothing here
---
${endpoint()}---
---
`);
    expect(module.endpoints.map((e) => e.source)).toEqual(['module.yaml document 2']);
  });

  it('keeps the order of files and documents across several files', () => {
    const module = loadModuleFiles([
      { path: 'a.yaml', text: `${endpoint('', 'a/*')}---\n${endpoint('', 'b/x')}` },
      { path: 'b.yaml', text: endpoint('', 'b/*') },
    ]);
    expect(module.endpoints.map((e) => [e.source, e.functions])).toEqual([
      ['a.yaml document 1', 'a/*'],
      ['a.yaml document 2', 'b/x'],
      ['b.yaml document 1', 'b/*'],
    ]);
  });

  it('accepts YAML anchors and merge keys', () => {
    const module = load(`kind: io.statefun.endpoints.v2/http
spec:
  functions: a/*
  urlPathTemplate: http://svc/{function.name}
  transport:
    <<: &defaults { call: 30s, connect: 3s }
    connect: 5s
    pool_ttl: 10s
---
kind: io.statefun.endpoints.v2/http
spec:
  functions: b/*
  urlPathTemplate: http://svc/{function.name}
  transport:
    pool_size: 7
`);
    expect(module.endpoints[0]?.transport).toMatchObject({
      callMs: 30_000,
      connectMs: 5_000,
      poolTtlMs: 10_000,
    });
    expect(module.endpoints[1]?.transport.poolSize).toBe(7);
  });

  it('rejects an alias to an anchor of another document', () => {
    const text = `${endpoint('  transport: &t { call: 30s }\n')}---\n${endpoint('  transport: *t\n', 'b/*')}`;
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_YAML_SYNTAX')).toContain('module.yaml');
  });

  it('returns a deeply frozen result', () => {
    const module = load(`${endpoint('  transport:\n    trust_cacerts: /ca.pem\n')}---
kind: io.statehouse.egress.v1/log
spec: { id: a/b }
`);
    expect(Object.isFrozen(module)).toBe(true);
    expect(Object.isFrozen(module.endpoints)).toBe(true);
    expect(Object.isFrozen(module.endpoints[0])).toBe(true);
    expect(Object.isFrozen(module.endpoints[0]?.transport)).toBe(true);
    expect(Object.isFrozen(module.endpoints[0]?.transport.tls)).toBe(true);
    expect(Object.isFrozen(module.egresses[0])).toBe(true);
    const kafka = load(`${endpoint()}${STATEFUN_REFERENCE_KAFKA_DOCUMENTS}`);
    for (const value of [
      kafka.ingresses,
      kafkaIngressOf(kafka),
      kafkaIngressOf(kafka)?.topics[0],
      kafkaIngressOf(kafka)?.topics[0]?.targets,
      kafkaIngressOf(kafka)?.brokers,
      kafkaIngressOf(kafka)?.startupPosition,
      kafkaIngressOf(kafka)?.properties,
      kafka.egresses[0],
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => (kafkaIngressOf(kafka)?.properties as Map<string, string>).set('client.id', 'x')).toThrow(
      TypeError,
    );
    expect(() => {
      (module.endpoints as EndpointList).push(module.endpoints[0]!);
    }).toThrow(TypeError);
  });

  it('parses the complete example of the StateFun reference (without Kinesis)', () => {
    const module = load(`${STATEFUN_REFERENCE_ASYNC_ENDPOINT}
---
# --- one specific type over TLS with OkHttp and explicit timeouts
kind: io.statefun.endpoints.v2/http
spec:
  functions: com.billing/invoice
  urlPathTemplate: https://billing.internal/invoke
  transport:
    type: io.statefun.transports.v1/okhttp
    timeouts:
      call: 1 min
      connect: 10 sec
      read: 10 sec
      write: 10 sec
---
# --- sidecar over a unix domain socket (OkHttp only)
kind: io.statefun.endpoints.v2/http
spec:
  functions: com.sidecar/*
  urlPathTemplate: http+unix:///var/run/fn.sock/statefun
  transport:
    type: io.statefun.transports.v1/okhttp
${STATEFUN_REFERENCE_KAFKA_DOCUMENTS}`);
    expect(module.endpoints).toHaveLength(3);
    expect(module.endpoints[0]).toMatchObject({
      functions: 'com.example/*',
      maxNumBatchRequests: 500,
      transport: { type: 'async', callMs: 120_000, connectMs: 20_000, poolTtlMs: 15_000, poolSize: 1024 },
    });
    expect(module.endpoints[1]).toMatchObject({
      namespace: 'com.billing',
      name: 'invoice',
      transport: { type: 'okhttp', callMs: 60_000, connectMs: 10_000, readMs: 10_000, writeMs: 10_000 },
    });
    expect(module.endpoints[2]).toMatchObject({
      urlPathTemplate: 'http+unix:///var/run/fn.sock/statefun',
      transport: { type: 'okhttp' },
    });
    expect(module.ingresses).toEqual([
      {
        source: 'module.yaml document 4',
        kind: 'io.statefun.kafka.v1/ingress',
        id: 'com.example/names',
        brokers: ['kafka:9092'],
        consumerGroupId: 'statefun-app',
        topics: [
          {
            topic: 'names',
            valueType: 'com.example/Name',
            targets: ['com.example/greeter', 'com.example/audit'],
          },
        ],
        startupPosition: { type: 'group-offsets' },
        autoOffsetResetPosition: 'earliest',
        properties: new Map([['isolation.level', 'read_committed']]),
      },
    ]);
    expect(module.egresses).toEqual([
      {
        source: 'module.yaml document 5',
        kind: 'io.statefun.kafka.v1/egress',
        id: 'com.example/greets',
        brokers: ['kafka:9092'],
        deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 15 * 60_000 },
        properties: new Map([['compression.type', 'lz4']]),
      },
    ]);
  });

  it('refuses a compression the egress cannot write, naming the ones it can', () => {
    const text = `${endpoint()}${STATEFUN_REFERENCE_KAFKA_DOCUMENTS.replace('compression.type: lz4', 'compression.type: snappy')}`;
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_INVALID_VALUE')).toBe(
      'module.yaml, document 3 (io.statefun.kafka.v1/egress): spec.properties[0] (compression.type): ' +
        'expected one of "none", "gzip", "lz4", got "snappy" (line 31)',
    );
  });
});

type EndpointList = ModuleConfig['endpoints'][number][];

describe('loadModuleFiles: duplicates', () => {
  it('rejects the same function type bound twice across files, naming both', () => {
    const message = configErrorOf(
      () =>
        loadModuleFiles([
          { path: 'a.yaml', text: endpoint('', 'com.example/greeter') },
          { path: 'b.yaml', text: `${endpoint('', 'other/*')}---\n${endpoint('', 'com.example/greeter')}` },
        ]),
      'ERR_CONFIG_DUPLICATE_FUNCTION_BINDING',
    );
    expect(message).toContain(
      'b.yaml, document 2 (io.statefun.endpoints.v2/http): spec.functions: function type ' +
        '"com.example/greeter" is already bound by a.yaml document 1',
    );
  });

  it('rejects the same namespace wildcard twice, naming both', () => {
    const message = configErrorOf(
      () => load(`${endpoint()}---\n${endpoint()}`),
      'ERR_CONFIG_DUPLICATE_FUNCTION_BINDING',
    );
    expect(message).toContain(
      'module.yaml, document 2 (io.statefun.endpoints.v2/http): spec.functions: namespace "com.example" is ' +
        'already bound (com.example/*) by module.yaml document 1',
    );
  });

  it('allows a specific binding next to its namespace wildcard', () => {
    const module = load(`${endpoint()}---\n${endpoint('', 'com.example/greeter')}`);
    expect(module.endpoints).toHaveLength(2);
  });

  it('rejects the same egress id twice, also across egress kinds', () => {
    const message = configErrorOf(
      () =>
        load(`kind: io.statehouse.egress.v1/log
spec: { id: example/out }
---
kind: io.statehouse.egress.v1/http
spec: { id: example/out, url: "http://hooks/x" }
`),
      'ERR_CONFIG_DUPLICATE_EGRESS_ID',
    );
    expect(message).toContain(
      'module.yaml, document 2 (io.statehouse.egress.v1/http): spec.id: egress id "example/out" is already ' +
        'defined by module.yaml document 1',
    );
  });
});

describe('loadModuleFile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads and loads a file, naming it by its path', async () => {
    dir = await mkdtemp(join(tmpdir(), 'statehouse-config-'));
    const path = join(dir, 'module.yaml');
    await writeFile(path, `\uFEFF${endpoint()}`);
    const module = await loadModuleFile(path);
    expect(module.endpoints[0]?.source).toBe(`${path} document 1`);
  });

  it('throws ERR_CONFIG_FILE_READ for a missing file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'statehouse-config-'));
    const path = join(dir, 'missing.yaml');
    const error: unknown = await loadModuleFile(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_FILE_READ' });
    expect((error as Error).message).toContain(`Cannot read module file ${path}`);
  });
});
