import { z } from 'zod';
import {
  oneOf,
  POSITIVE_INTEGER,
  propertyList,
  TEXT,
  type PropertyList,
  type ValueRule,
} from './client-properties.js';
import { raise } from './problems.js';

// The Kafka client properties a module.yaml may set (`spec.properties` of the Kafka kinds), the rule each value
// follows, and the broker list syntax. Only properties the Kafka connector honours are accepted: a property that
// would be silently ignored is an error, like an unknown field.

/** Security properties that the consumer and the producer share. */
const SECURITY_RULES = [
  ['security.protocol', oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL')],
  ['sasl.mechanism', oneOf('PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512')],
  ['sasl.username', TEXT],
  ['sasl.password', TEXT],
  ['ssl.ca.location', TEXT],
  ['ssl.certificate.location', TEXT],
  ['ssl.key.location', TEXT],
] as const;

const BROKERS: ValueRule = { type: 'custom', check: brokersProblem };

const INGRESS_RULES: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ['bootstrap.servers', BROKERS],
  ['group.id', TEXT],
  ['client.id', TEXT],
  ['isolation.level', oneOf('read_committed', 'read_uncommitted')],
  ['session.timeout.ms', POSITIVE_INTEGER],
  ['heartbeat.interval.ms', POSITIVE_INTEGER],
  ['max.partition.fetch.bytes', POSITIVE_INTEGER],
  ['fetch.max.bytes', POSITIVE_INTEGER],
  ['fetch.min.bytes', POSITIVE_INTEGER],
  ['fetch.max.wait.ms', POSITIVE_INTEGER],
  ['auto.offset.reset', oneOf('earliest', 'latest')],
  ['request.timeout.ms', POSITIVE_INTEGER],
  ...SECURITY_RULES,
]);

const EGRESS_RULES: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ['bootstrap.servers', BROKERS],
  ['client.id', TEXT],
  ['acks', oneOf('all', '-1', '1', '0')],
  ['compression.type', oneOf('none', 'gzip', 'lz4')],
  ['request.timeout.ms', POSITIVE_INTEGER],
  ['transaction.timeout.ms', POSITIVE_INTEGER],
  ['transactional.id', TEXT],
  ...SECURITY_RULES,
]);

/**
 * The Kafka consumer properties an `io.statefun.kafka.v1/ingress` may set in `spec.properties`; any other is a
 * load error (`ERR_CONFIG_UNSUPPORTED_PROPERTY`).
 */
export const KAFKA_INGRESS_PROPERTIES: readonly string[] = Object.freeze([...INGRESS_RULES.keys()]);

/**
 * The Kafka producer properties an `io.statefun.kafka.v1/egress` may set in `spec.properties`; any other is a
 * load error (`ERR_CONFIG_UNSUPPORTED_PROPERTY`).
 */
export const KAFKA_EGRESS_PROPERTIES: readonly string[] = Object.freeze([...EGRESS_RULES.keys()]);

/** What a broker list looks like, for messages. */
const BROKERS_SYNTAX = 'a comma-separated list of host:port (port 1-65535), e.g. "kafka-1:9092,kafka-2:9092"';

/**
 * Splits a broker list (`address`, `bootstrap.servers`): `host:port` entries separated by commas, whitespace
 * around each trimmed; a host is a name, an IPv4 address or an IPv6 address in brackets.
 *
 * @param text - the list as written.
 * @returns the brokers, or a sentence saying what is wrong.
 */
export function splitBrokers(text: string): { readonly brokers: string[] } | { readonly problem: string } {
  const brokers = text.split(',').map((entry) => entry.trim());
  for (const broker of brokers) {
    const match = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/u.exec(broker);
    const port = Number(match?.[1] ?? Number.NaN);
    if (match === null || port < 1 || port > 65_535) {
      const which = broker === '' ? 'an empty entry' : `${JSON.stringify(broker)} is not host:port`;
      return { problem: `expected ${BROKERS_SYNTAX}; ${which}` };
    }
  }
  return { brokers };
}

/** A broker list (`address`) → the brokers. */
export const brokerList = z.string().transform((text, ctx) => {
  const split = splitBrokers(text);
  if ('problem' in split) {
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', split.problem, text);
    return z.NEVER;
  }
  return split.brokers;
});

/** The properties of a Kafka document: their values as strings, and where each one was written. */
export type KafkaProperties = PropertyList;

/**
 * `spec.properties` of a Kafka document: a list of single-entry mappings (`- key: value`), each key one the
 * connector honours, set once, with a valid value.
 *
 * @param client - `'consumer'` (ingress) or `'producer'` (egress): selects the honoured properties.
 */
export function kafkaProperties(client: 'consumer' | 'producer') {
  const rules = client === 'consumer' ? INGRESS_RULES : EGRESS_RULES;
  const honoured = [...rules.keys()].join(', ');
  return propertyList(
    rules,
    'spec.properties',
    (key) =>
      `Statehouse does not honour the Kafka ${client} property ${key}; remove it. The honoured ones are: ${honoured}`,
  );
}

function brokersProblem(value: string): string | undefined {
  const split = splitBrokers(value);
  return 'problem' in split ? split.problem : undefined;
}
