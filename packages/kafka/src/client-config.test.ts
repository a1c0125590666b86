import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientConfig, configuredClient, consumerConfig } from './client-config.js';

describe('clientConfig', () => {
  it('uses the brokers, a default client id, and no TLS or SASL for PLAINTEXT', () => {
    const config = clientConfig(['a:9092', 'b:9092'], new Map(), 'statehouse-x');
    expect(config).toMatchObject({ brokers: ['a:9092', 'b:9092'], clientId: 'statehouse-x' });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('maps client.id, request.timeout.ms, SASL_SSL with SCRAM and the TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-config-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const config = clientConfig(
      ['a:9093'],
      new Map([
        ['client.id', 'mine'],
        ['request.timeout.ms', '1500'],
        ['security.protocol', 'SASL_SSL'],
        ['sasl.mechanism', 'SCRAM-SHA-512'],
        ['sasl.username', 'u'],
        ['sasl.password', 'p'],
        ['ssl.ca.location', join(dir, 'ca.pem')],
      ]),
      'default',
    );
    expect(config.clientId).toBe('mine');
    expect(config.requestTimeout).toBe(1500);
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect((config.ssl as { ca: Buffer }).ca.toString()).toBe('CA');
  });

  it('names the property whose TLS file cannot be read', () => {
    expect(() =>
      clientConfig(
        ['a:9093'],
        new Map([
          ['security.protocol', 'SSL'],
          ['ssl.key.location', '/nonexistent/key.pem'],
        ]),
        'x',
      ),
    ).toThrow(/ssl\.key\.location \(\/nonexistent\/key\.pem\)/);
  });
});

describe('consumerConfig', () => {
  it("reads committed records only unless isolation.level says otherwise, never creates topics, and waits Kafka's 500 ms for records", () => {
    expect(consumerConfig('g', new Map())).toEqual({
      groupId: 'g',
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      maxWaitTimeInMs: 500,
    });
    expect(consumerConfig('g', new Map([['isolation.level', 'read_uncommitted']])).readUncommitted).toBe(
      true,
    );
  });

  it('maps the fetch and session properties', () => {
    const config = consumerConfig(
      'g',
      new Map([
        ['session.timeout.ms', '10000'],
        ['heartbeat.interval.ms', '1000'],
        ['max.partition.fetch.bytes', '2048'],
        ['fetch.max.bytes', '4096'],
        ['fetch.min.bytes', '1'],
        ['fetch.max.wait.ms', '50'],
      ]),
    );
    expect(config).toMatchObject({
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
      maxBytesPerPartition: 2048,
      maxBytes: 4096,
      minBytes: 1,
      maxWaitTimeInMs: 50,
    });
  });
});

describe('configuredClient', () => {
  it('names the document and the property of a TLS file it cannot read, as a ConfigError', () => {
    expect(() =>
      configuredClient({
        source: 'module.yaml document 3',
        id: 'ex/in',
        brokers: ['a:9093'],
        properties: new Map([
          ['security.protocol', 'SSL'],
          ['ssl.ca.location', '/nonexistent/ca.pem'],
        ]),
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_FILE_READ',
        message: expect.stringContaining(
          'module.yaml document 3: spec.properties: cannot read ssl.ca.location',
        ) as unknown,
      }),
    );
  });
});
