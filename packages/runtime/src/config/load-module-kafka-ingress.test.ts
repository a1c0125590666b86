/**
 * module.yaml: the Kafka ingress kind (StateFun's keys and defaults, `address` over `bootstrap.servers`,
 * `consumerGroupId` over `group.id`, startup positions, and only the Kafka consumer properties Statehouse honours).
 */
import { describe, expect, it } from 'vitest';
import { KAFKA_INGRESS_PROPERTIES } from './kafka-properties.js';
import { parseStartupDate } from './kafka-startup-date.js';
import {
  configErrorOf,
  kafkaEgress,
  kafkaIngress,
  kafkaIngressOf,
  load,
} from './load-module.test-helpers.js';

const INGRESS = 'module.yaml, document 1 (io.statefun.kafka.v1/ingress)';

const startupPosition = (text: string) => kafkaIngress({ startupPosition: `startupPosition: ${text}` });

describe('io.statefun.kafka.v1/ingress', () => {
  it('loads with every default', () => {
    expect(load(kafkaIngress()).ingresses).toEqual([
      {
        source: 'module.yaml document 1',
        kind: 'io.statefun.kafka.v1/ingress',
        id: 'com.example/names',
        brokers: ['kafka:9092'],
        consumerGroupId: 'app',
        topics: [{ topic: 'names', valueType: 'com.example/Name', targets: ['com.example/greeter'] }],
        startupPosition: { type: 'latest' },
        autoOffsetResetPosition: 'latest',
        properties: new Map(),
      },
    ]);
  });

  it('reads brokers from address (a trimmed list), else from bootstrap.servers; address wins', () => {
    const list = load(kafkaIngress({ address: 'address: " k1:9092 , 10.0.0.2:9093,[::1]:9094"' }));
    expect(kafkaIngressOf(list)?.brokers).toEqual(['k1:9092', '10.0.0.2:9093', '[::1]:9094']);
    const fromProperty = load(
      kafkaIngress({
        address: undefined,
        properties: 'properties:\n    - bootstrap.servers: b1:9092,b2:9092',
      }),
    );
    expect(kafkaIngressOf(fromProperty)?.brokers).toEqual(['b1:9092', 'b2:9092']);
    const both = load(kafkaIngress({ properties: 'properties:\n    - bootstrap.servers: other:9092' }));
    expect(kafkaIngressOf(both)?.brokers).toEqual(['kafka:9092']);
    expect(kafkaIngressOf(both)?.properties.get('bootstrap.servers')).toBe('other:9092');
  });

  it('reads the group from consumerGroupId, else from group.id; consumerGroupId wins', () => {
    const fromProperty = load(
      kafkaIngress({ consumerGroupId: undefined, properties: 'properties:\n    - group.id: from-props' }),
    );
    expect(kafkaIngressOf(fromProperty)?.consumerGroupId).toBe('from-props');
    const both = load(kafkaIngress({ properties: 'properties:\n    - group.id: from-props' }));
    expect(kafkaIngressOf(both)?.consumerGroupId).toBe('app');
  });

  it('takes autoOffsetResetPosition (any case) over auto.offset.reset', () => {
    const property = load(kafkaIngress({ properties: 'properties:\n    - auto.offset.reset: earliest' }));
    expect(kafkaIngressOf(property)?.autoOffsetResetPosition).toBe('earliest');
    const both = load(
      kafkaIngress({
        autoOffsetResetPosition: 'autoOffsetResetPosition: LATEST',
        properties: 'properties:\n    - auto.offset.reset: earliest',
      }),
    );
    expect(kafkaIngressOf(both)?.autoOffsetResetPosition).toBe('latest');
  });

  it('requires brokers from address or bootstrap.servers', () => {
    expect(configErrorOf(() => load(kafkaIngress({ address: undefined })), 'ERR_CONFIG_MISSING_FIELD')).toBe(
      `${INGRESS}: spec.address: is required (or the property bootstrap.servers): the brokers to consume from, ` +
        'as a comma-separated list of host:port, e.g. "kafka:9092" (line 2)',
    );
  });

  it('requires a group from consumerGroupId or group.id', () => {
    expect(
      configErrorOf(() => load(kafkaIngress({ consumerGroupId: undefined })), 'ERR_CONFIG_MISSING_FIELD'),
    ).toContain(`${INGRESS}: spec.consumerGroupId: is required (or the property group.id)`);
  });

  it.each(['kafka', 'kafka:0', 'kafka:65536', 'kafka:9092,', 'ka fka:9092', 'kafka:port'])(
    'rejects the broker list %j',
    (address) => {
      const message = configErrorOf(
        () => load(kafkaIngress({ address: `address: "${address}"` })),
        'ERR_CONFIG_INVALID_VALUE',
      );
      expect(message).toContain(`${INGRESS}: spec.address: expected a comma-separated list of host:port`);
      expect(message).toContain(`got ${JSON.stringify(address)}`);
    },
  );

  it.each([
    ['{type: group-offsets}', { type: 'group-offsets' }],
    ['{type: earliest}', { type: 'earliest' }],
    ['{type: latest}', { type: 'latest' }],
    [
      '{type: specific-offsets, offsets: [{"names/0": 42}, {names/1: "7"}]}',
      {
        type: 'specific-offsets',
        offsets: [
          { topic: 'names', partition: 0, offset: 42 },
          { topic: 'names', partition: 1, offset: 7 },
        ],
      },
    ],
    [
      '{type: date, date: "2020-02-01 04:15:00.000 +0100"}',
      { type: 'date', date: '2020-02-01 04:15:00.000 +0100', epochMs: Date.UTC(2020, 1, 1, 3, 15) },
    ],
  ])('loads the startup position %s', (text, expected) => {
    expect(kafkaIngressOf(load(startupPosition(text)))?.startupPosition).toEqual(expected);
  });

  it('rejects a date not in the form yyyy-MM-dd HH:mm:ss.SSS Z, showing the form with an example', () => {
    // StateFun's documentation writes this one; StateFun's own pattern refuses it, and so do we.
    const message = configErrorOf(
      () => load(startupPosition('{type: date, date: "2020-02-01 04:15:00.00 Z"}')),
      'ERR_CONFIG_INVALID_VALUE',
    );
    expect(message).toBe(
      `${INGRESS}: spec.startupPosition.date: expected a date in the form yyyy-MM-dd HH:mm:ss.SSS Z, with ` +
        'exactly 3 digits of milliseconds and the offset as +HHMM or -HHMM, e.g. "2020-02-01 04:15:00.000 +0000", ' +
        'got "2020-02-01 04:15:00.00 Z" (line 8)',
    );
    expect(configErrorOf(() => load(startupPosition('{type: date}')), 'ERR_CONFIG_MISSING_FIELD')).toContain(
      `${INGRESS}: spec.startupPosition.date: is required`,
    );
  });

  it('parses startup dates strictly', () => {
    expect(parseStartupDate('1970-01-01 00:00:00.001 +0000')).toBe(1);
    expect(parseStartupDate('2020-02-29 23:59:59.999 -0130')).toBe(Date.UTC(2020, 2, 1, 1, 29, 59, 999));
    for (const text of [
      '2021-02-29 00:00:00.000 +0000',
      '2020-13-01 00:00:00.000 +0000',
      '2020-01-01 24:00:00.000 +0000',
      '2020-01-01 00:60:00.000 +0000',
      '2020-01-01 00:00:00.000 +1900',
      '2020-01-01 00:00:00.000 +0060',
      '2020-01-01T00:00:00.000 +0000',
      '2020-01-01 00:00:00 +0000',
      '2020-01-01 00:00:00.000 UTC',
    ]) {
      expect(parseStartupDate(text), text).toBeUndefined();
    }
  });

  it('rejects bad specific offsets, naming the entry', () => {
    const offsets = (lines: string) =>
      startupPosition(`\n    type: specific-offsets\n    offsets:\n${lines}`);
    expect(configErrorOf(() => load(offsets('      - "names": 1\n')), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      `${INGRESS}: spec.startupPosition.offsets[0] (names): expected "<topic>/<partition>"`,
    );
    expect(
      configErrorOf(() => load(offsets('      - "names/-1": 1\n')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain('spec.startupPosition.offsets[0] (names/-1): expected "<topic>/<partition>"');
    expect(
      configErrorOf(() => load(offsets('      - "names/0": -5\n')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain('spec.startupPosition.offsets[0] (names/0): expected an offset: a whole number ≥ 0, got -5');
    expect(
      configErrorOf(
        () => load(offsets('      - "names/0": 1\n      - "names/0": 2\n')),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain(
      'spec.startupPosition.offsets[1] (names/0): partition names/0 already has an offset in offsets[0]',
    );
    expect(
      configErrorOf(() => load(offsets('      - "other/0": 1\n')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain('spec.startupPosition.offsets[0] (other/0): topic "other" is not one of spec.topics (names)');
    expect(
      configErrorOf(
        () => load(startupPosition('{type: specific-offsets, offsets: []}')),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.startupPosition.offsets: expected at least one offset');
  });

  it('rejects an unknown startup position type, listing the accepted ones', () => {
    expect(
      configErrorOf(() => load(startupPosition('{type: newest}')), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(
      `${INGRESS}: spec.startupPosition.type: expected one of "group-offsets", "earliest", "latest", ` +
        '"specific-offsets", "date", got "newest"',
    );
    expect(
      configErrorOf(() => load(startupPosition('{type: latest, date: "x"}')), 'ERR_CONFIG_UNKNOWN_FIELD'),
    ).toContain('spec.startupPosition.date: unknown field; the accepted fields are: type');
  });

  it('rejects a topic listed twice', () => {
    const topics = `topics:
    - { topic: names, valueType: com.example/Name, targets: [com.example/greeter] }
    - { topic: names, valueType: com.example/Name, targets: [com.example/audit] }`;
    expect(configErrorOf(() => load(kafkaIngress({ topics })), 'ERR_CONFIG_CONFLICTING_FIELDS')).toBe(
      `${INGRESS}: spec.topics[1].topic: topic "names" is already routed by spec.topics[0]; list each topic ` +
        'once, with all of its targets (line 8)',
    );
  });

  it('rejects a target listed twice for a topic (every record would reach it twice)', () => {
    const topics = `topics:
    - { topic: names, valueType: com.example/Name, targets: [com.example/greeter, com.example/greeter] }`;
    expect(configErrorOf(() => load(kafkaIngress({ topics })), 'ERR_CONFIG_CONFLICTING_FIELDS')).toContain(
      'spec.topics[0].targets[1]: function type com.example/greeter is already listed as targets[0]',
    );
  });

  it('rejects empty or missing topics and targets', () => {
    expect(
      configErrorOf(() => load(kafkaIngress({ topics: 'topics: []' })), 'ERR_CONFIG_INVALID_VALUE'),
    ).toContain(
      `${INGRESS}: spec.topics: expected at least one topic ({topic, valueType, targets}), got a list`,
    );
    expect(
      configErrorOf(() => load(kafkaIngress({ topics: undefined })), 'ERR_CONFIG_MISSING_FIELD'),
    ).toContain(`${INGRESS}: spec.topics: is required`);
    expect(
      configErrorOf(
        () => load(kafkaIngress({ topics: 'topics:\n    - { topic: names, valueType: a/b, targets: [] }' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.topics[0].targets: expected at least one function type (namespace/name)');
  });

  it('rejects a target or a valueType that is not a typename, and a bad topic name', () => {
    const route = (text: string) => kafkaIngress({ topics: `topics:\n    - ${text}` });
    expect(
      configErrorOf(
        () => load(route('{ topic: names, valueType: a/b, targets: [com.example/greeter, greeter] }')),
        'ERR_CONFIG_INVALID_TYPENAME',
      ),
    ).toContain(
      `${INGRESS}: spec.topics[0].targets[1]: expected namespace/name with exactly one "/", got "greeter"`,
    );
    expect(
      configErrorOf(
        () => load(route('{ topic: names, valueType: "a/*", targets: [a/b] }')),
        'ERR_CONFIG_INVALID_TYPENAME',
      ),
    ).toContain('spec.topics[0].valueType: expected namespace/name; "*" is not allowed here');
    expect(
      configErrorOf(
        () => load(route('{ topic: "a/b", valueType: a/b, targets: [a/b] }')),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.topics[0].topic: expected a Kafka topic name');
  });

  it('rejects a property Statehouse does not honour, naming the entry and listing the honoured ones', () => {
    const properties = `properties:
    - isolation.level: read_committed
    - session.timeout.ms: 30000
    - ssl.keystore.location: /etc/ks.jks`;
    const message = configErrorOf(
      () => load(kafkaIngress({ properties })),
      'ERR_CONFIG_UNSUPPORTED_PROPERTY',
    );
    expect(message).toBe(
      `${INGRESS}: spec.properties[2] (ssl.keystore.location): Statehouse does not honour the Kafka consumer ` +
        `property ssl.keystore.location; remove it. The honoured ones are: ${KAFKA_INGRESS_PROPERTIES.join(', ')} ` +
        '(line 11)',
    );
  });

  it('keeps honoured properties as strings, and validates their values', () => {
    const properties = `properties:
    - client.id: app-1
    - fetch.max.bytes: 1048576
    - security.protocol: SASL_SSL
    - sasl.mechanism: SCRAM-SHA-512
    - sasl.password: 12345`;
    expect(kafkaIngressOf(load(kafkaIngress({ properties })))?.properties).toEqual(
      new Map([
        ['client.id', 'app-1'],
        ['fetch.max.bytes', '1048576'],
        ['security.protocol', 'SASL_SSL'],
        ['sasl.mechanism', 'SCRAM-SHA-512'],
        ['sasl.password', '12345'],
      ]),
    );
    const bad = (entry: string) => () => load(kafkaIngress({ properties: `properties:\n    - ${entry}` }));
    expect(configErrorOf(bad('isolation.level: read_comitted'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      `${INGRESS}: spec.properties[0] (isolation.level): expected one of "read_committed", "read_uncommitted", ` +
        'got "read_comitted"',
    );
    expect(configErrorOf(bad('fetch.min.bytes: 0'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'spec.properties[0] (fetch.min.bytes): expected a positive integer, got 0',
    );
    expect(configErrorOf(bad('session.timeout.ms: 1.5'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'expected a positive integer, got 1.5',
    );
    expect(configErrorOf(bad('client.id: {a: 1}'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'spec.properties[0] (client.id): expected a string, a number or true/false, got a mapping',
    );
    expect(configErrorOf(bad('{client.id: a, group.id: b}'), 'ERR_CONFIG_INVALID_VALUE')).toContain(
      'spec.properties[0]: expected a single-entry mapping (- key: value), got a mapping with 2 entries',
    );
    expect(
      configErrorOf(
        () => load(kafkaIngress({ properties: 'properties:\n    - client.id: a\n    - client.id: b' })),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain(
      'spec.properties[1] (client.id): is already set by spec.properties[0]; set each property once',
    );
    expect(
      configErrorOf(
        () => load(kafkaIngress({ properties: 'properties: { client.id: a }' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.properties: expected a list, got a mapping');
  });

  it('rejects an unknown spec field, listing the accepted ones', () => {
    expect(
      configErrorOf(() => load(kafkaIngress({ extra: 'topic: names' })), 'ERR_CONFIG_UNKNOWN_FIELD'),
    ).toContain(
      `${INGRESS}: spec.topic: unknown field; the accepted fields are: id, address, consumerGroupId, topics, ` +
        'autoOffsetResetPosition, startupPosition, properties',
    );
  });

  it('rejects an ingress id used twice, naming both documents', () => {
    const message = configErrorOf(
      () => load(`${kafkaIngress()}---\n${kafkaIngress()}`),
      'ERR_CONFIG_DUPLICATE_INGRESS_ID',
    );
    expect(message).toBe(
      'module.yaml, document 2 (io.statefun.kafka.v1/ingress): spec.id: ingress id "com.example/names" is ' +
        'already defined by module.yaml document 1; give each ingress its own id (line 11)',
    );
  });

  it('allows an ingress and an egress with the same id', () => {
    const module = load(`${kafkaIngress()}---\n${kafkaEgress({ id: 'id: com.example/names' })}`);
    expect(kafkaIngressOf(module)?.id).toBe(module.egresses[0]?.id);
  });
});
