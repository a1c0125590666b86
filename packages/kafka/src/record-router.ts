/**
 * StateFun's routing of Kafka records (its "auto-routable" router): the record key, decoded as UTF-8, is the
 * target id; the value's bytes, unchanged, become a message of the topic's `valueType` to every target function
 * type. Where StateFun fails the job for good (a null key, a null value), a record is skipped and reported, so one
 * bad record never stops an ingress.
 */
import type { IngestMessage, KafkaTopicRoute } from '@statehouse/runtime';

/** The parts of a Kafka record the router reads. */
export interface SourceRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
}

/** Why a record was skipped. */
export type SkipReason = 'null-key' | 'null-value' | 'invalid-key';

/** A record that produced no message, and why. */
export interface SkippedRecord {
  readonly offset: string;
  readonly reason: SkipReason;
  /** What is wrong, for the log line. */
  readonly detail: string;
}

/** What a batch of records became. */
export interface RoutedRecords {
  /** The messages, record by record, target by target. */
  readonly messages: IngestMessage[];
  readonly skipped: SkippedRecord[];
}

// StateFun decodes keys with `new String(bytes, UTF_8)`, which replaces malformed sequences: so does this.
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Routes records of one topic.
 *
 * @param route - the topic's `valueType` and `targets`.
 * @param idProblem - why a text cannot be an address id (too long, NUL), or `undefined` when it can.
 */
export function routeRecords(
  route: KafkaTopicRoute,
  records: readonly SourceRecord[],
  idProblem: (id: string) => string | undefined,
): RoutedRecords {
  const messages: IngestMessage[] = [];
  const skipped: SkippedRecord[] = [];
  for (const record of records) {
    if (record.key === null) {
      skipped.push({
        offset: record.offset,
        reason: 'null-key',
        detail: 'the record has no key (the target id)',
      });
      continue;
    }
    if (record.value === null) {
      skipped.push({
        offset: record.offset,
        reason: 'null-value',
        detail: 'the record has no value (a tombstone)',
      });
      continue;
    }
    const id = UTF8.decode(record.key);
    const problem = idProblem(id);
    if (problem !== undefined) {
      skipped.push({ offset: record.offset, reason: 'invalid-key', detail: `the record key ${problem}` });
      continue;
    }
    const argument = { typename: route.valueType, value: new Uint8Array(record.value) };
    for (const type of route.targets) messages.push({ target: { type, id }, argument });
  }
  return { messages, skipped };
}
