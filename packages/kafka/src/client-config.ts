/**
 * Kafka properties of module.yaml (the Java client's names, as StateFun passes them through) mapped onto the
 * kafkajs client. The config loader has already refused every property not honoured here and checked the values.
 */
import { readFileSync } from 'node:fs';
import type { ConsumerConfig, KafkaConfig, SASLOptions } from 'kafkajs';
import { ConfigError } from '@statehouse/runtime';

/** Time a Kafka client waits to connect to a broker, ms. */
const CONNECTION_TIMEOUT_MS = 10_000;
/**
 * The consumer's session timeout unless `session.timeout.ms` says otherwise, ms. A process killed without
 * leaving its group holds its partitions this long: 10 s (Kafka's default before 3.0) instead of kafkajs's 30 s, so
 * a restarted runtime resumes sooner.
 */
const SESSION_TIMEOUT_MS = 10_000;
/**
 * How long a fetch may wait for records when there are none, ms: Kafka's own consumer default (kafkajs waits 5 s).
 * A broker answers as soon as records arrive; librdkafka's mock waits the whole time, so there it bounds latency.
 */
const FETCH_MAX_WAIT_MS = 500;

/**
 * The client settings common to consumers and producers.
 *
 * @param clientId - the default `client.id`.
 * @throws when a TLS file named by `ssl.*.location` cannot be read (the message names the property).
 */
export function clientConfig(
  brokers: readonly string[],
  properties: ReadonlyMap<string, string>,
  clientId: string,
): KafkaConfig {
  const protocol = properties.get('security.protocol') ?? 'PLAINTEXT';
  const requestTimeout = numberProperty(properties, 'request.timeout.ms');
  return {
    brokers: [...brokers],
    clientId: properties.get('client.id') ?? clientId,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    ...(requestTimeout === undefined ? {} : { requestTimeout }),
    ...(protocol === 'SSL' || protocol === 'SASL_SSL' ? { ssl: tlsOptions(properties) } : {}),
    ...(protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL' ? { sasl: saslOptions(properties) } : {}),
  };
}

/**
 * The client settings of a Kafka document of module.yaml, with its default client id.
 *
 * @throws {@link ConfigError} `ERR_CONFIG_FILE_READ` naming the document and the property when a TLS file cannot
 *   be read.
 */
export function configuredClient(config: {
  readonly source: string;
  readonly id: string;
  readonly brokers: readonly string[];
  readonly properties: ReadonlyMap<string, string>;
}): KafkaConfig {
  try {
    return clientConfig(config.brokers, config.properties, `statehouse-${config.id.replace('/', '.')}`);
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_FILE_READ',
      `${config.source}: spec.properties: ${(err as Error).message}; fix the path or the file's permissions`,
      { cause: err },
    );
  }
}

/** The consumer settings of an ingress. */
export function consumerConfig(groupId: string, properties: ReadonlyMap<string, string>): ConsumerConfig {
  const optional = {
    sessionTimeout: numberProperty(properties, 'session.timeout.ms') ?? SESSION_TIMEOUT_MS,
    heartbeatInterval: numberProperty(properties, 'heartbeat.interval.ms'),
    maxBytesPerPartition: numberProperty(properties, 'max.partition.fetch.bytes'),
    maxBytes: numberProperty(properties, 'fetch.max.bytes'),
    minBytes: numberProperty(properties, 'fetch.min.bytes'),
    maxWaitTimeInMs: numberProperty(properties, 'fetch.max.wait.ms') ?? FETCH_MAX_WAIT_MS,
  };
  return {
    groupId,
    // read_committed unless told otherwise: records of aborted transactions never reach a function.
    readUncommitted: properties.get('isolation.level') === 'read_uncommitted',
    // A topic that does not exist is waited for (and reported), never created by reading it.
    allowAutoTopicCreation: false,
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<ConsumerConfig>),
  };
}

function numberProperty(properties: ReadonlyMap<string, string>, name: string): number | undefined {
  const value = properties.get(name);
  return value === undefined ? undefined : Number(value);
}

function tlsOptions(properties: ReadonlyMap<string, string>): true | Record<string, Buffer> {
  const files: [string, string][] = [
    ['ca', 'ssl.ca.location'],
    ['cert', 'ssl.certificate.location'],
    ['key', 'ssl.key.location'],
  ];
  const options: Record<string, Buffer> = {};
  for (const [option, property] of files) {
    const path = properties.get(property);
    if (path === undefined) continue;
    try {
      options[option] = readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read ${property} (${path}): ${(err as Error).message}`, { cause: err });
    }
  }
  return Object.keys(options).length === 0 ? true : options;
}

function saslOptions(properties: ReadonlyMap<string, string>): SASLOptions {
  const mechanism = (properties.get('sasl.mechanism') ?? 'PLAIN').toLowerCase();
  const username = properties.get('sasl.username') ?? '';
  const password = properties.get('sasl.password') ?? '';
  if (mechanism === 'scram-sha-256') return { mechanism, username, password };
  if (mechanism === 'scram-sha-512') return { mechanism, username, password };
  return { mechanism: 'plain', username, password };
}
