/**
 * module.yaml: the Kinesis kinds (StateFun's keys and defaults for region, credentials, startup position,
 * streams, egress limits; client properties honoured, accepted without effect, or refused).
 */
import { describe, expect, it } from 'vitest';
import { kinesisPropertyWithoutEffect } from './kinesis-properties.js';
import type { KinesisEgressConfig, KinesisIngressConfig } from './kinesis-types.js';
import { configErrorOf, endpoint, load } from './load-module.test-helpers.js';

const INGRESS = 'module.yaml, document 1 (io.statefun.kinesis.v1/ingress)';
const EGRESS = 'module.yaml, document 1 (io.statefun.kinesis.v1/egress)';

function document(kind: 'ingress' | 'egress', spec: Record<string, string | undefined>): string {
  const lines = Object.values(spec).filter((line): line is string => line !== undefined);
  return `kind: io.statefun.kinesis.v1/${kind}\nspec:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}

const ingress = (spec: Record<string, string | undefined> = {}): string =>
  document('ingress', {
    id: 'id: com.example/clicks',
    streams:
      'streams:\n    - { stream: clicks, valueType: com.example/Click, targets: [com.example/sessionizer] }',
    ...spec,
  });

const egress = (spec: Record<string, string | undefined> = {}): string =>
  document('egress', { id: 'id: com.example/out', ...spec });

const ingressOf = (text: string) => load(text).ingresses[0] as KinesisIngressConfig;
const egressOf = (text: string) => load(text).egresses[0] as KinesisEgressConfig;

describe('io.statefun.kinesis.v1/ingress', () => {
  it("applies StateFun's defaults: default region and credentials, latest", () => {
    expect(ingressOf(ingress())).toEqual({
      source: 'module.yaml document 1',
      kind: 'io.statefun.kinesis.v1/ingress',
      id: 'com.example/clicks',
      awsRegion: { type: 'default' },
      awsCredentials: { type: 'default' },
      startupPosition: { type: 'latest' },
      streams: [{ stream: 'clicks', valueType: 'com.example/Click', targets: ['com.example/sessionizer'] }],
      clientConfigProperties: new Map(),
    });
  });

  it('reads every region, credentials and startup position type', () => {
    const custom = ingressOf(
      ingress({
        region: 'awsRegion: { type: custom-endpoint, endpoint: "http://127.0.0.1:4567", id: us-east-1 }',
        credentials: 'awsCredentials: { type: basic, accessKeyId: AKIA1, secretAccessKey: s3cr3t }',
        startup: 'startupPosition: { type: date, date: "2020-02-01 04:15:00.000 +0000" }',
      }),
    );
    expect(custom.awsRegion).toEqual({
      type: 'custom-endpoint',
      endpoint: 'http://127.0.0.1:4567',
      id: 'us-east-1',
    });
    expect(custom.awsCredentials).toEqual({ type: 'basic', accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' });
    expect(custom.startupPosition).toEqual({
      type: 'date',
      date: '2020-02-01 04:15:00.000 +0000',
      epochMs: Date.UTC(2020, 1, 1, 4, 15),
    });
    const profile = ingressOf(
      ingress({
        region: 'awsRegion: { type: specific, id: eu-west-1 }',
        credentials:
          'awsCredentials: { type: profile, profileName: dev, profilePath: /home/me/.aws/credentials }',
        startup: 'startupPosition: { type: earliest }',
      }),
    );
    expect(profile.awsRegion).toEqual({ type: 'specific', id: 'eu-west-1' });
    expect(profile.awsCredentials).toEqual({
      type: 'profile',
      profileName: 'dev',
      profilePath: '/home/me/.aws/credentials',
    });
    expect(profile.startupPosition).toEqual({ type: 'earliest' });
  });

  it('names the field and the fix for bad values', () => {
    expect(
      configErrorOf(
        () => load(ingress({ region: 'awsRegion: { type: specific, id: Frankfurt }' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.awsRegion.id: expected an AWS region such as "us-east-1"');
    expect(
      configErrorOf(
        () =>
          load(
            ingress({
              region: 'awsRegion: { type: custom-endpoint, endpoint: "localhost:4567", id: us-east-1 }',
            }),
          ),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.awsRegion.endpoint: expected an absolute http:// or https:// URL');
    expect(
      configErrorOf(
        () =>
          load(ingress({ streams: 'streams: [{ stream: "my stream", valueType: a/b, targets: [a/c] }]' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('expected a Kinesis stream name');
    expect(
      configErrorOf(
        () =>
          load(
            ingress({
              streams:
                'streams:\n    - { stream: s, valueType: a/b, targets: [a/c] }\n    - { stream: s, valueType: a/b, targets: [a/d] }',
            }),
          ),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain('stream "s" is already routed by spec.streams[0]');
    expect(
      configErrorOf(
        () => load(ingress({ credentials: 'awsCredentials: { type: basic, accessKeyId: AKIA1 }' })),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toContain('spec.awsCredentials.secretAccessKey');
    expect(configErrorOf(() => load(ingress({ streams: undefined })), 'ERR_CONFIG_MISSING_FIELD')).toContain(
      `${INGRESS}: spec.streams: is required`,
    );
  });

  it('honours mappable client properties, accepts known ones without effect, refuses the rest', () => {
    const honoured = ingressOf(
      ingress({
        properties:
          'clientConfigProperties:\n    - SocketTimeout: 9999\n    - flink.shard.getrecords.maxrecordcount: 500\n    - UseGzip: true',
      }),
    );
    expect([...honoured.clientConfigProperties]).toEqual([
      ['SocketTimeout', '9999'],
      ['flink.shard.getrecords.maxrecordcount', '500'],
      ['UseGzip', 'true'],
    ]);
    expect(kinesisPropertyWithoutEffect('ingress', 'SocketTimeout')).toBeUndefined();
    expect(kinesisPropertyWithoutEffect('ingress', 'UseGzip')).toContain('AWS SDK for Java');
    expect(
      configErrorOf(
        () => load(ingress({ properties: 'clientConfigProperties:\n    - SoketTimeout: 9999' })),
        'ERR_CONFIG_UNSUPPORTED_PROPERTY',
      ),
    ).toContain('does not know the Kinesis ingress client property SoketTimeout');
    expect(
      configErrorOf(
        () =>
          load(
            ingress({
              properties: 'clientConfigProperties:\n    - flink.shard.getrecords.maxrecordcount: 20000',
            }),
          ),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('expected a whole number from 1 to 10000');
  });

  it('needs an endpoint for its targets when a runtime is created, not when the file loads', () => {
    expect(load(`${endpoint()}---\n${ingress()}`).ingresses).toHaveLength(1);
  });
});

describe('io.statefun.kinesis.v1/egress', () => {
  it("applies StateFun's defaults and reads maxOutstandingRecords", () => {
    expect(egressOf(egress())).toMatchObject({
      kind: 'io.statefun.kinesis.v1/egress',
      id: 'com.example/out',
      awsRegion: { type: 'default' },
      awsCredentials: { type: 'default' },
      maxOutstandingRecords: 1000,
      recordIdEnvelope: false,
    });
    expect(egressOf(egress({ envelope: 'recordIdEnvelope: true' })).recordIdEnvelope).toBe(true);
    expect(egressOf(egress({ max: 'maxOutstandingRecords: 9999' })).maxOutstandingRecords).toBe(9999);
    expect(
      configErrorOf(() => load(egress({ max: 'maxOutstandingRecords: 0' })), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(`${EGRESS}: spec.maxOutstandingRecords: expected a whole number ≥ 1`);
  });

  it("loads StateFun's reference egress as written (KPL properties are accepted without effect)", () => {
    const reference = egressOf(
      egress({
        region:
          'awsRegion:\n    type: custom-endpoint\n    endpoint: https://localhost:4567\n    id: us-west-1',
        credentials: 'awsCredentials:\n    type: basic\n    accessKeyId: AKIA...\n    secretAccessKey: ...',
        max: 'maxOutstandingRecords: 9999',
        properties: 'clientConfigProperties:\n    - ThreadingModel: POOLED',
      }),
    );
    expect(reference.clientConfigProperties.get('ThreadingModel')).toBe('POOLED');
    expect(kinesisPropertyWithoutEffect('egress', 'ThreadingModel')).toContain('Kinesis Producer Library');
    expect(kinesisPropertyWithoutEffect('egress', 'CollectionMaxCount')).toBeUndefined();
  });

  it('shares the egress id space with the other egresses', () => {
    expect(
      configErrorOf(
        () => load(`${egress()}---\nkind: io.statehouse.egress.v1/log\nspec:\n  id: com.example/out\n`),
        'ERR_CONFIG_DUPLICATE_EGRESS_ID',
      ),
    ).toContain('egress id "com.example/out" is already defined');
  });
});
