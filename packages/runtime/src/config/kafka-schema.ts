import { z } from 'zod';
import { brokerList, kafkaProperties, splitBrokers, type KafkaProperties } from './kafka-properties.js';
import { isKafkaTopicName, KAFKA_TOPIC_SYNTAX } from './kafka-names.js';
import {
  KAFKA_EGRESS_KIND,
  KAFKA_INGRESS_KIND,
  type KafkaDeliverySemantic,
  type KafkaEgressConfig,
  type KafkaIngressConfig,
  type KafkaStartupPosition,
  type KafkaTopicRoute,
} from './module-types.js';
import { isRecord, raise } from './problems.js';
import {
  duration,
  integer,
  nonEmptyText,
  routeList,
  startupDate,
  strictObject,
  targetList,
  typename,
} from './schema-fields.js';

// The zod schemas of the `spec` of `io.statefun.kafka.v1/ingress` and `/egress` (StateFun's keys, with
// StateFun's defaults and precedence: `address` over `bootstrap.servers`, `consumerGroupId` over `group.id`).

/** Kafka's own bound on a transaction: the broker's default `transaction.max.timeout.ms`. */
export const MAX_KAFKA_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;

const topicName = z.string().superRefine((text, ctx) => {
  if (!isKafkaTopicName(text)) raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${KAFKA_TOPIC_SYNTAX}`, text);
});

const topicRoute = strictObject({
  topic: topicName,
  valueType: typename(false),
  targets: targetList,
}).transform((route): KafkaTopicRoute => ({
  topic: route.topic,
  valueType: route.valueType.text,
  targets: route.targets.map((target) => target.text),
}));

const topics = routeList(topicRoute, (route) => route.topic, {
  entry: 'topic ({topic, valueType, targets})',
  field: 'topic',
  list: 'spec.topics',
});

/** `earliest` or `latest`, in any case (StateFun upper-cases it). */
const autoOffsetReset = z.string().transform((text, ctx) => {
  const value = text.toLowerCase();
  if (value === 'earliest' || value === 'latest') return value;
  raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected "earliest" or "latest"', text);
  return z.NEVER;
});

/** One entry of `offsets`: `"<topic>/<partition>": <offset>`. */
type SpecificOffset = Extract<KafkaStartupPosition, { type: 'specific-offsets' }>['offsets'][number];

const OFFSET_ENTRY_SYNTAX = 'a single-entry mapping "<topic>/<partition>": <offset>, e.g. "names/0": 42';

const specificOffsets = z.array(z.unknown()).transform((entries, ctx): SpecificOffset[] => {
  if (entries.length === 0) {
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected at least one offset (${OFFSET_ENTRY_SYNTAX})`, entries);
    return z.NEVER;
  }
  const offsets: SpecificOffset[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const pairs: [string, unknown][] = isRecord(entry) ? Object.entries(entry) : [];
    const [pair] = pairs;
    if (pair === undefined || pairs.length > 1) {
      raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${OFFSET_ENTRY_SYNTAX}`, entry, { path: [i] });
      return;
    }
    const [key, value] = pair;
    const match = /^([^/]+)\/(\d+)$/u.exec(key);
    const topic = match?.[1] ?? '';
    const partition = Number(match?.[2] ?? Number.NaN);
    if (!isKafkaTopicName(topic) || !Number.isSafeInteger(partition)) {
      raise(
        ctx,
        'ERR_CONFIG_INVALID_VALUE',
        `expected "<topic>/<partition>" with ${KAFKA_TOPIC_SYNTAX} and a partition number ≥ 0, e.g. "names/0"`,
        key,
        { path: [i], entryKey: key },
      );
      return;
    }
    const offset =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d+$/u.test(value)
          ? Number(value)
          : -1;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected an offset: a whole number ≥ 0', value, {
        path: [i],
        entryKey: key,
      });
      return;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      raise(
        ctx,
        'ERR_CONFIG_CONFLICTING_FIELDS',
        `partition ${key} already has an offset in offsets[${earlier}]; give each partition one offset`,
        undefined,
        { path: [i], entryKey: key, showInput: false },
      );
      return;
    }
    seen.set(key, i);
    offsets.push({ topic, partition, offset });
  });
  return offsets;
});

const startupPosition = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('group-offsets') }),
  strictObject({ type: z.literal('earliest') }),
  strictObject({ type: z.literal('latest') }),
  strictObject({ type: z.literal('specific-offsets'), offsets: specificOffsets }),
  strictObject({ type: z.literal('date'), date: startupDate }).transform(
    (position): KafkaStartupPosition => ({ type: 'date', ...position.date }),
  ),
]);

/** `spec` of `io.statefun.kafka.v1/ingress`. */
export const kafkaIngressSpecSchema = strictObject({
  id: typename(false),
  address: brokerList.optional(),
  consumerGroupId: nonEmptyText.optional(),
  topics,
  autoOffsetResetPosition: autoOffsetReset.optional(),
  startupPosition: startupPosition.optional(),
  properties: kafkaProperties('consumer').optional(),
}).transform((spec, ctx): Omit<KafkaIngressConfig, 'source'> => {
  const properties = spec.properties?.values ?? new Map<string, string>();
  const brokers = requireBrokers(ctx, spec.address, properties, 'consume from');
  if (brokers === undefined) return z.NEVER;
  const consumerGroupId = spec.consumerGroupId ?? properties.get('group.id');
  if (consumerGroupId === undefined) {
    raise(
      ctx,
      'ERR_CONFIG_MISSING_FIELD',
      'is required (or the property group.id): the Kafka consumer group of this ingress, e.g. "statefun-app"',
      undefined,
      { path: ['consumerGroupId'], showInput: false },
    );
    return z.NEVER;
  }
  const position: KafkaStartupPosition = spec.startupPosition ?? { type: 'latest' };
  if (position.type === 'specific-offsets') {
    const routed = spec.topics.map((route) => route.topic);
    position.offsets.forEach((entry, i) => {
      if (routed.includes(entry.topic)) return;
      raise(
        ctx,
        'ERR_CONFIG_INVALID_VALUE',
        `topic ${JSON.stringify(entry.topic)} is not one of spec.topics (${routed.join(', ')}); fix the topic ` +
          'or remove the offset',
        undefined,
        {
          path: ['startupPosition', 'offsets', i],
          entryKey: `${entry.topic}/${entry.partition}`,
          showInput: false,
        },
      );
    });
  }
  return {
    kind: KAFKA_INGRESS_KIND,
    id: spec.id.text,
    brokers,
    consumerGroupId,
    topics: spec.topics,
    startupPosition: position,
    autoOffsetResetPosition:
      spec.autoOffsetResetPosition ??
      (properties.get('auto.offset.reset') as 'earliest' | 'latest' | undefined) ??
      'latest',
    properties,
  };
});

const TRANSACTION_TIMEOUT_RULE =
  'more than 0 and at most 15 min (900000 ms, the default transaction.max.timeout.ms of a Kafka broker, ' +
  'which refuses longer transactions)';

const exactlyOnce = strictObject({
  type: z.literal('exactly-once'),
  transactionTimeout: duration({ positive: true }).optional(),
  transactionTimeoutMillis: integer({
    min: 1,
    expected:
      'a positive whole number of milliseconds (deprecated; for a duration such as "15min" use transactionTimeout)',
  }).optional(),
}).transform((semantic, ctx): KafkaDeliverySemantic => {
  if (semantic.transactionTimeout !== undefined && semantic.transactionTimeoutMillis !== undefined) {
    raise(
      ctx,
      'ERR_CONFIG_CONFLICTING_FIELDS',
      'conflicts with transactionTimeout; set only transactionTimeout (transactionTimeoutMillis is deprecated)',
      undefined,
      { path: ['transactionTimeoutMillis'], showInput: false },
    );
    return z.NEVER;
  }
  const field = semantic.transactionTimeout === undefined ? 'transactionTimeoutMillis' : 'transactionTimeout';
  const timeoutMs = semantic.transactionTimeout ?? semantic.transactionTimeoutMillis;
  if (timeoutMs === undefined) {
    raise(
      ctx,
      'ERR_CONFIG_MISSING_FIELD',
      `is required for exactly-once: the Kafka transaction timeout, a duration ${TRANSACTION_TIMEOUT_RULE}, ` +
        'e.g. "15min" (or the deprecated transactionTimeoutMillis, a number of milliseconds)',
      undefined,
      { path: ['transactionTimeout'], showInput: false },
    );
    return z.NEVER;
  }
  if (timeoutMs > MAX_KAFKA_TRANSACTION_TIMEOUT_MS) {
    raise(
      ctx,
      'ERR_CONFIG_INVALID_DURATION',
      `must be ${TRANSACTION_TIMEOUT_RULE}, got ${timeoutMs} ms`,
      undefined,
      { path: [field], showInput: false },
    );
    return z.NEVER;
  }
  return { type: 'exactly-once', transactionTimeoutMs: timeoutMs };
});

const deliverySemantic = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('at-least-once') }),
  strictObject({ type: z.literal('none') }),
  exactlyOnce,
]);

/** `spec` of `io.statefun.kafka.v1/egress`. */
export const kafkaEgressSpecSchema = strictObject({
  id: typename(false),
  address: brokerList.optional(),
  deliverySemantic: deliverySemantic.optional(),
  properties: kafkaProperties('producer').optional(),
}).transform((spec, ctx): Omit<KafkaEgressConfig, 'source'> => {
  const properties = spec.properties?.values ?? new Map<string, string>();
  const brokers = requireBrokers(ctx, spec.address, properties, 'produce to');
  if (brokers === undefined) return z.NEVER;
  const semantic: KafkaDeliverySemantic = spec.deliverySemantic ?? { type: 'at-least-once' };
  checkTransactionTimeoutProperty(ctx, semantic, spec.properties);
  checkTransactionalIdProperty(ctx, semantic, spec.properties);
  return { kind: KAFKA_EGRESS_KIND, id: spec.id.text, brokers, deliverySemantic: semantic, properties };
});

/**
 * The brokers of a Kafka document: `address`, else the property `bootstrap.servers`; reports the missing field
 * when neither is there.
 *
 * @param use - what the brokers are for, in the message: `consume from` or `produce to`.
 */
function requireBrokers(
  ctx: z.core.$RefinementCtx,
  address: string[] | undefined,
  properties: ReadonlyMap<string, string>,
  use: string,
): string[] | undefined {
  const brokers = address ?? brokersOf(properties);
  if (brokers !== undefined) return brokers;
  raise(
    ctx,
    'ERR_CONFIG_MISSING_FIELD',
    `is required (or the property bootstrap.servers): the brokers to ${use}, as a comma-separated list of ` +
      'host:port, e.g. "kafka:9092"',
    undefined,
    { path: ['address'], showInput: false },
  );
  return undefined;
}

/** The brokers of the property `bootstrap.servers` (already validated), if set. */
function brokersOf(properties: ReadonlyMap<string, string>): string[] | undefined {
  const servers = properties.get('bootstrap.servers');
  if (servers === undefined) return undefined;
  const split = splitBrokers(servers);
  return 'brokers' in split ? split.brokers : undefined;
}

/** `transactional.id` means something only with `deliverySemantic: exactly-once`. */
function checkTransactionalIdProperty(
  ctx: z.core.$RefinementCtx,
  semantic: KafkaDeliverySemantic,
  properties: KafkaProperties | undefined,
): void {
  const index = properties?.indexes.get('transactional.id');
  if (semantic.type === 'exactly-once' || index === undefined) return;
  raise(
    ctx,
    'ERR_CONFIG_CONFLICTING_FIELDS',
    `applies only to deliverySemantic exactly-once (this egress is ${semantic.type}); remove it, or set deliverySemantic type: exactly-once`,
    undefined,
    { path: ['properties', index], entryKey: 'transactional.id', showInput: false },
  );
}

/** The property transaction.timeout.ms must agree with the exactly-once timeout, which is what applies. */
function checkTransactionTimeoutProperty(
  ctx: z.core.$RefinementCtx,
  semantic: KafkaDeliverySemantic,
  properties: KafkaProperties | undefined,
): void {
  const value = properties?.values.get('transaction.timeout.ms');
  const index = properties?.indexes.get('transaction.timeout.ms');
  if (semantic.type !== 'exactly-once' || value === undefined || index === undefined) return;
  if (Number(value) === semantic.transactionTimeoutMs) return;
  raise(
    ctx,
    'ERR_CONFIG_CONFLICTING_FIELDS',
    `is ${value} ms but deliverySemantic's transaction timeout is ${semantic.transactionTimeoutMs} ms; ` +
      'remove the property (deliverySemantic sets it)',
    undefined,
    {
      path: ['properties', index],
      entryKey: 'transaction.timeout.ms',
      showInput: false,
    },
  );
}
