/** Names a Kafka connector derives from module.yaml. */

/** Kafka's topic name rule: 1 to 249 of letters, digits, `.`, `_` and `-` (so never a `/`). */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/u;

/** The rule of {@link isKafkaTopicName}, for messages. */
export const KAFKA_TOPIC_SYNTAX = 'a Kafka topic name (1-249 letters, digits, ".", "_" or "-")';

/** Whether a text is a valid Kafka topic name ({@link KAFKA_TOPIC_SYNTAX}). */
export function isKafkaTopicName(text: string): boolean {
  return TOPIC.test(text);
}

/** `text` with every character Kafka does not allow in a topic name replaced by `.`. */
function topicSafe(text: string): string {
  return text.replace(/[^a-zA-Z0-9._-]/g, '.');
}

/**
 * The Kafka transactional id of an exactly-once egress: the property `transactional.id`, else
 * `statehouse.<egress id>` with every character Kafka does not allow in a topic name (its positions topic is
 * `<transactional id>.positions`) replaced by `.`.
 */
export function kafkaTransactionalId(egress: {
  readonly id: string;
  readonly properties: ReadonlyMap<string, string>;
}): string {
  return egress.properties.get('transactional.id') ?? `statehouse.${topicSafe(egress.id)}`;
}

/** The positions topic of an exactly-once egress's transactional id: `<transactional id>.positions`, topic-safe. */
export function kafkaPositionsTopic(transactionalId: string): string {
  return `${topicSafe(transactionalId)}.positions`;
}
