/**
 * module.yaml: the Kafka egress kind (`address` over `bootstrap.servers`, delivery semantics and their transaction
 * timeout, only the Kafka producer properties Statehouse honours, egress ids unique across egress kinds).
 */
import { describe, expect, it } from 'vitest';
import { KAFKA_EGRESS_PROPERTIES } from './kafka-properties.js';
import { configErrorOf, kafkaEgress, load } from './load-module.test-helpers.js';

const EGRESS = 'module.yaml, document 1 (io.statefun.kafka.v1/egress)';

describe('io.statefun.kafka.v1/egress', () => {
  it('loads with every default (at-least-once)', () => {
    expect(load(kafkaEgress()).egresses).toEqual([
      {
        source: 'module.yaml document 1',
        kind: 'io.statefun.kafka.v1/egress',
        id: 'com.example/out',
        brokers: ['kafka:9092'],
        deliverySemantic: { type: 'at-least-once' },
        properties: new Map(),
      },
    ]);
    expect(
      load(kafkaEgress({ deliverySemantic: 'deliverySemantic: { type: none }' })).egresses[0],
    ).toMatchObject({
      deliverySemantic: { type: 'none' },
    });
  });

  it('reads brokers from address, else bootstrap.servers, and requires one of them', () => {
    const fromProperty = load(
      kafkaEgress({ address: undefined, properties: 'properties:\n    - bootstrap.servers: b:9092' }),
    );
    expect(fromProperty.egresses[0]).toMatchObject({ brokers: ['b:9092'] });
    expect(
      configErrorOf(() => load(kafkaEgress({ address: undefined })), 'ERR_CONFIG_MISSING_FIELD'),
    ).toContain(`${EGRESS}: spec.address: is required (or the property bootstrap.servers)`);
  });

  it('loads exactly-once with transactionTimeout, or the deprecated transactionTimeoutMillis', () => {
    const duration = load(
      kafkaEgress({
        deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeout: 2 min }',
      }),
    );
    expect(duration.egresses[0]).toMatchObject({
      deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 120_000 },
    });
    const millis = load(
      kafkaEgress({
        deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeoutMillis: 60000 }',
      }),
    );
    expect(millis.egresses[0]).toMatchObject({
      deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 60_000 },
    });
  });

  it('requires a transaction timeout for exactly-once', () => {
    expect(
      configErrorOf(
        () => load(kafkaEgress({ deliverySemantic: 'deliverySemantic: { type: exactly-once }' })),
        'ERR_CONFIG_MISSING_FIELD',
      ),
    ).toBe(
      `${EGRESS}: spec.deliverySemantic.transactionTimeout: is required for exactly-once: the Kafka transaction ` +
        'timeout, a duration more than 0 and at most 15 min (900000 ms, the default transaction.max.timeout.ms ' +
        'of a Kafka broker, which refuses longer transactions), e.g. "15min" (or the deprecated ' +
        'transactionTimeoutMillis, a number of milliseconds) (line 5)',
    );
  });

  it('rejects a transaction timeout above 15 min, or of 0', () => {
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeout: 16min }',
            }),
          ),
        'ERR_CONFIG_INVALID_DURATION',
      ),
    ).toContain(
      `${EGRESS}: spec.deliverySemantic.transactionTimeout: must be more than 0 and at most 15 min (900000 ms, ` +
        'the default transaction.max.timeout.ms of a Kafka broker, which refuses longer transactions), got 960000 ms',
    );
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeoutMillis: 900001 }',
            }),
          ),
        'ERR_CONFIG_INVALID_DURATION',
      ),
    ).toContain('spec.deliverySemantic.transactionTimeoutMillis: must be more than 0 and at most 15 min');
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeout: 0 }',
            }),
          ),
        'ERR_CONFIG_INVALID_DURATION',
      ),
    ).toContain('spec.deliverySemantic.transactionTimeout: expected a duration greater than 0, got 0');
  });

  it('rejects transactionTimeoutMillis written as a duration (as StateFun documents it), pointing to transactionTimeout', () => {
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeoutMillis: 15min }',
            }),
          ),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain(
      'spec.deliverySemantic.transactionTimeoutMillis: expected a positive whole number of milliseconds ' +
        '(deprecated; for a duration such as "15min" use transactionTimeout), got "15min"',
    );
  });

  it('rejects both timeouts, and a transaction.timeout.ms property that disagrees', () => {
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic:
                'deliverySemantic: { type: exactly-once, transactionTimeout: 1min, transactionTimeoutMillis: 60000 }',
            }),
          ),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain('spec.deliverySemantic.transactionTimeoutMillis: conflicts with transactionTimeout');
    expect(
      configErrorOf(
        () =>
          load(
            kafkaEgress({
              deliverySemantic: 'deliverySemantic: { type: exactly-once, transactionTimeout: 1min }',
              properties: 'properties:\n    - acks: all\n    - transaction.timeout.ms: 30000',
            }),
          ),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain(
      `${EGRESS}: spec.properties[1] (transaction.timeout.ms): is 30000 ms but deliverySemantic's transaction ` +
        'timeout is 60000 ms',
    );
  });

  it('rejects an unknown delivery semantic', () => {
    expect(
      configErrorOf(
        () => load(kafkaEgress({ deliverySemantic: 'deliverySemantic: { type: at-most-once }' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain(
      'spec.deliverySemantic.type: expected one of "at-least-once", "none", "exactly-once", got "at-most-once"',
    );
  });

  it('accepts the producer properties it honours, and refuses the others', () => {
    const properties = `properties:
    - acks: -1
    - compression.type: none
    - request.timeout.ms: "30000"
    - ssl.ca.location: /etc/ca.pem`;
    expect(load(kafkaEgress({ properties })).egresses[0]).toMatchObject({
      properties: new Map([
        ['acks', '-1'],
        ['compression.type', 'none'],
        ['request.timeout.ms', '30000'],
        ['ssl.ca.location', '/etc/ca.pem'],
      ]),
    });
    expect(
      configErrorOf(
        () => load(kafkaEgress({ properties: 'properties:\n    - acks: 2' })),
        'ERR_CONFIG_INVALID_VALUE',
      ),
    ).toContain('spec.properties[0] (acks): expected one of "all", "-1", "1", "0", got 2');
    const message = configErrorOf(
      () => load(kafkaEgress({ properties: 'properties:\n    - group.id: x' })),
      'ERR_CONFIG_UNSUPPORTED_PROPERTY',
    );
    expect(message).toContain(
      `${EGRESS}: spec.properties[0] (group.id): Statehouse does not honour the Kafka producer property group.id`,
    );
    expect(message).toContain(KAFKA_EGRESS_PROPERTIES.join(', '));
  });

  it('rejects a Kafka egress id equal to a log egress id, naming both documents', () => {
    const text = `kind: io.statehouse.egress.v1/log\nspec: { id: com.example/out }\n---\n${kafkaEgress()}`;
    expect(configErrorOf(() => load(text), 'ERR_CONFIG_DUPLICATE_EGRESS_ID')).toBe(
      'module.yaml, document 2 (io.statefun.kafka.v1/egress): spec.id: egress id "com.example/out" is already ' +
        'defined by module.yaml document 1; give each egress its own id (line 6)',
    );
  });

  it('refuses transactional.id without exactly-once, and two exactly-once egresses sharing a transactional id', () => {
    expect(
      configErrorOf(
        () => load(kafkaEgress({ properties: 'properties:\n    - transactional.id: app' })),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain(
      `${EGRESS}: spec.properties[0] (transactional.id): applies only to deliverySemantic exactly-once (this egress is at-least-once)`,
    );
    const exactlyOnce = 'deliverySemantic: { type: exactly-once, transactionTimeout: 1 min }';
    // `a.b/c` and `a/b.c` both become statehouse.a.b.c.
    const defaults = `${kafkaEgress({ id: 'id: a.b/c', deliverySemantic: exactlyOnce })}---\n${kafkaEgress({ id: 'id: a/b.c', deliverySemantic: exactlyOnce })}`;
    expect(configErrorOf(() => load(defaults), 'ERR_CONFIG_CONFLICTING_FIELDS')).toContain(
      'egress a/b.c would use the Kafka transactional id "statehouse.a.b.c", like the exactly-once egress of module.yaml document 1',
    );
    const explicit = (id: string) =>
      kafkaEgress({
        id: `id: ${id}`,
        deliverySemantic: exactlyOnce,
        properties: 'properties:\n    - transactional.id: app',
      });
    expect(
      configErrorOf(
        () => load(`${explicit('x/one')}---\n${explicit('x/two')}`),
        'ERR_CONFIG_CONFLICTING_FIELDS',
      ),
    ).toContain('"app", like the exactly-once egress of module.yaml document 1');
    // Distinct ids load.
    expect(
      load(
        `${kafkaEgress({ id: 'id: x/one', deliverySemantic: exactlyOnce })}---\n${kafkaEgress({ id: 'id: x/two', deliverySemantic: exactlyOnce })}`,
      ).egresses,
    ).toHaveLength(2);
  });
});
