/**
 * Where an ingress starts reading a partition it has no committed position for: its `startupPosition` (StateFun's
 * rules, Flink's Kafka consumer underneath), resolved to an offset once and committed, so that a restart before
 * the first record resumes there too instead of resolving `latest` again and skipping what came meanwhile.
 */
import type { Admin } from 'kafkajs';
import type { KafkaIngressConfig } from '@statehouse/runtime';

/** The offset of one partition. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** A partition's offsets: the first kept (`low`) and the next to be written (`high`). */
interface Watermarks {
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * Resolves the start of every partition of the ingress's topics that `known` has no position for.
 *
 * @param known - whether a position is committed for the partition.
 * @param onlyEarliest - resolve to the earliest offset whatever `startupPosition` says (partitions added to a
 *   topic after the ingress first started: every record of theirs is new).
 * @param ignored - told about each `specific-offsets` entry that cannot apply (no such partition, or an offset
 *   the partition no longer or not yet holds).
 * @throws when a topic does not exist or the brokers cannot be reached (the caller retries).
 */
export async function resolveStartPositions(
  admin: Admin,
  config: KafkaIngressConfig,
  known: (topic: string, partition: number) => boolean,
  onlyEarliest = false,
  ignored: (entry: string) => void = () => undefined,
): Promise<PartitionOffset[]> {
  const out: PartitionOffset[] = [];
  for (const { topic } of config.topics) {
    const marks = new Map<number, Watermarks>(
      (await admin.fetchTopicOffsets(topic)).map((p) => [
        p.partition,
        { low: BigInt(p.low), high: BigInt(p.high) },
      ]),
    );
    const missing = [...marks.keys()].filter((p) => !known(topic, p)).sort((a, b) => a - b);
    if (missing.length === 0) continue;
    if (!onlyEarliest) reportIgnored(config, topic, marks, ignored);
    const offsets = onlyEarliest
      ? new Map(missing.map((p) => [p, marks.get(p)!.low]))
      : await startOffsets(admin, config, topic, missing, marks);
    for (const partition of missing) out.push({ topic, partition, offset: offsets.get(partition)! });
  }
  return out;
}

async function startOffsets(
  admin: Admin,
  config: KafkaIngressConfig,
  topic: string,
  partitions: readonly number[],
  marks: ReadonlyMap<number, Watermarks>,
): Promise<Map<number, bigint>> {
  const reset = (p: number): bigint =>
    config.autoOffsetResetPosition === 'earliest' ? marks.get(p)!.low : marks.get(p)!.high;
  const start = config.startupPosition;
  switch (start.type) {
    case 'earliest':
      return new Map(partitions.map((p) => [p, marks.get(p)!.low]));
    case 'latest':
      return new Map(partitions.map((p) => [p, marks.get(p)!.high]));
    case 'date': {
      const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, start.epochMs);
      const found = new Map(byTime.map((e) => [e.partition, BigInt(e.offset)]));
      // No record at or after the date: start at the end (nothing of it is old enough to skip).
      return new Map(
        partitions.map((p) => [p, within(found.get(p) ?? -1n, marks.get(p)!) ?? marks.get(p)!.high]),
      );
    }
    case 'specific-offsets': {
      // Flink's rule: a partition without an entry starts from the group's offset.
      const group = await groupOffsets(admin, config.consumerGroupId, topic);
      return new Map(
        partitions.map((p) => {
          const given = start.offsets.find((o) => o.topic === topic && o.partition === p);
          const offset = given !== undefined ? BigInt(given.offset) : group.get(p);
          return [p, (offset === undefined ? undefined : within(offset, marks.get(p)!)) ?? reset(p)];
        }),
      );
    }
    case 'group-offsets': {
      const group = await groupOffsets(admin, config.consumerGroupId, topic);
      return new Map(
        partitions.map((p) => {
          const offset = group.get(p);
          return [p, (offset === undefined ? undefined : within(offset, marks.get(p)!)) ?? reset(p)];
        }),
      );
    }
  }
}

/** Tells about the `specific-offsets` entries of a topic that cannot apply. */
function reportIgnored(
  config: KafkaIngressConfig,
  topic: string,
  marks: ReadonlyMap<number, Watermarks>,
  ignored: (entry: string) => void,
): void {
  const start = config.startupPosition;
  if (start.type !== 'specific-offsets') return;
  for (const o of start.offsets) {
    if (o.topic !== topic) continue;
    const m = marks.get(o.partition);
    if (m === undefined) ignored(`${topic}/${o.partition}: the topic has no partition ${o.partition}`);
    else if (within(BigInt(o.offset), m) === undefined)
      ignored(
        `${topic}/${o.partition}: offset ${o.offset} is outside ${m.low}..${m.high}; autoOffsetResetPosition applies`,
      );
  }
}

/** The group's committed offsets of a topic (partitions without one are absent). */
async function groupOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const out = new Map<number, bigint>();
  for (const p of entry?.partitions ?? []) {
    const offset = BigInt(p.offset);
    if (offset >= 0n) out.set(p.partition, offset);
  }
  return out;
}

/** The offset when the partition still holds it, else `undefined` (out of range: the reset position applies). */
function within(offset: bigint, marks: Watermarks): bigint | undefined {
  return offset >= marks.low && offset <= marks.high ? offset : undefined;
}
