import { POSITIVE_INTEGER, propertyList, type ValueRule } from './client-properties.js';

// The `clientConfigProperties` a Kinesis document may set. StateFun hands them to the AWS Java SDK's client
// configuration (ingress) and to the Kinesis Producer Library (egress); Statehouse runs the AWS SDK for
// JavaScript and no KPL, so it honours the ones that map onto it and accepts the rest of the well-known keys
// with a warning that they have no effect here (so StateFun modules load as written). Any other key is an error.

const wholeNumberInRange = (min: number, max: number): ValueRule => ({
  type: 'custom',
  check: (value) => {
    const n = Number(value);
    return /^\d+$/u.test(value) && n >= min && n <= max
      ? undefined
      : `expected a whole number from ${min} to ${max}`;
  },
});

const noEffect = (why: string): ValueRule => ({ type: 'no-effect', why });

const NO_KPL = noEffect('Statehouse puts records with the AWS SDK, not the Kinesis Producer Library');
const NO_JAVA_SDK = noEffect('it configures the AWS SDK for Java, which Statehouse does not run');

/** Client settings both kinds honour, mapped onto the AWS SDK for JavaScript's HTTP handler and retries. */
const SHARED_RULES: readonly [string, ValueRule][] = [
  // ms of socket inactivity before a request fails (NodeHttpHandler requestTimeout).
  ['SocketTimeout', POSITIVE_INTEGER],
  // ms to establish a connection.
  ['ConnectionTimeout', POSITIVE_INTEGER],
  ['MaxConnections', wholeNumberInRange(1, 1024)],
  // Retries of one request by the AWS SDK (maxAttempts = MaxErrorRetry + 1) before the connector backs off.
  ['MaxErrorRetry', wholeNumberInRange(0, 20)],
];

const INGRESS_RULES: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ...SHARED_RULES,
  ['RequestTimeout', POSITIVE_INTEGER],
  // Flink's Kinesis consumer keys that StateFun passes through.
  ['flink.shard.getrecords.maxrecordcount', wholeNumberInRange(1, 10_000)],
  ['flink.shard.getrecords.intervalmillis', POSITIVE_INTEGER],
  ['flink.shard.discovery.intervalmillis', POSITIVE_INTEGER],
  ...['UseGzip', 'UseTcpKeepAlive', 'UseReaper', 'ConnectionTTL', 'ConnectionMaxIdleMillis', 'UserAgent'].map(
    (key): [string, ValueRule] => [key, NO_JAVA_SDK],
  ),
]);

const EGRESS_RULES: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  ...SHARED_RULES,
  // KPL names: ms per request, ms to connect, records and bytes per PutRecords request.
  ['RequestTimeout', POSITIVE_INTEGER],
  ['ConnectTimeout', POSITIVE_INTEGER],
  ['CollectionMaxCount', wholeNumberInRange(1, 500)],
  ['CollectionMaxSize', wholeNumberInRange(52_224, 5 * 1024 * 1024)],
  ...[
    'AggregationEnabled',
    'AggregationMaxCount',
    'AggregationMaxSize',
    'ThreadingModel',
    'ThreadPoolSize',
    'RecordMaxBufferedTime',
    'RecordTtl',
    'RateLimit',
    'FailIfThrottled',
    'MinConnections',
    'MetricsLevel',
    'MetricsGranularity',
    'MetricsNamespace',
    'MetricsUploadDelay',
    'LogLevel',
    'CredentialsRefreshDelay',
    'EnableCoreDumps',
    'NativeExecutable',
    'TempDirectory',
    'CloudwatchEndpoint',
    'CloudwatchPort',
    'StsEndpoint',
    'StsPort',
    'VerifyCertificate',
    'UserRecordTimeoutInMillis',
  ].map((key): [string, ValueRule] => [key, NO_KPL]),
]);

/** The `clientConfigProperties` an `io.statefun.kinesis.v1/ingress` may set; any other is a load error. */
export const KINESIS_INGRESS_PROPERTIES: readonly string[] = Object.freeze([...INGRESS_RULES.keys()]);
/** The `clientConfigProperties` an `io.statefun.kinesis.v1/egress` may set; any other is a load error. */
export const KINESIS_EGRESS_PROPERTIES: readonly string[] = Object.freeze([...EGRESS_RULES.keys()]);

/**
 * Why a Kinesis client property has no effect in Statehouse, or `undefined` when it is honoured (or unknown).
 *
 * @param role - `'ingress'` or `'egress'`.
 */
export function kinesisPropertyWithoutEffect(role: 'ingress' | 'egress', key: string): string | undefined {
  const rule = (role === 'ingress' ? INGRESS_RULES : EGRESS_RULES).get(key);
  return rule?.type === 'no-effect' ? rule.why : undefined;
}

/** `clientConfigProperties` of a Kinesis document. */
export function kinesisProperties(role: 'ingress' | 'egress') {
  const rules = role === 'ingress' ? INGRESS_RULES : EGRESS_RULES;
  const known = [...rules.keys()].join(', ');
  return propertyList(
    rules,
    'spec.clientConfigProperties',
    (key) =>
      `Statehouse does not know the Kinesis ${role} client property ${key}; remove it. The known ones are: ${known}`,
  );
}
