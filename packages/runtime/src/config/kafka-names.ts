/** Names a Kafka connector derives from module.yaml. */

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
