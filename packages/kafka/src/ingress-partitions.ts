/**
 * What a Kafka ingress knows about its partitions: the committed position of every partition it has read or
 * resolved (the store's truth, loaded once), the partitions of the current assignment with their high watermark
 * and pause, the lag gauge, and which positions still have to be copied to the consumer group.
 */
import type { ConnectorPartStatus, ConnectorPosition } from '@statehouse/runtime';
import type { KafkaIngressMetrics } from './kafka-metrics.js';

/** One assigned partition, as this process reads it. */
export interface AssignedPartition {
  readonly topic: string;
  readonly partition: number;
  highWatermark: bigint | undefined;
  paused: boolean;
}

/** A topic partition and an offset in it. */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The partitions of one Kafka ingress. */
export class IngressPartitions {
  readonly #ingressId: string;
  readonly #lag: KafkaIngressMetrics['lag'];
  /** The committed next offset of every partition this ingress has read or resolved. */
  readonly #positions = new Map<string, bigint>();
  /** Positions not yet copied to the consumer group. */
  readonly #groupDirty = new Set<string>();
  readonly #assigned = new Map<string, AssignedPartition>();

  constructor(ingressId: string, metrics: KafkaIngressMetrics) {
    this.#ingressId = ingressId;
    this.#lag = metrics.lag;
  }

  /** Whether any position is known (committed before, or resolved now). */
  get hasPositions(): boolean {
    return this.#positions.size > 0;
  }

  /** Whether any partition is assigned to this process. */
  get hasAssigned(): boolean {
    return this.#assigned.size > 0;
  }

  /** Takes the positions committed in the store. */
  load(positions: readonly ConnectorPosition[]): void {
    for (const p of positions) this.#positions.set(partKey(p.source, Number(p.part)), BigInt(p.position));
  }

  /** The committed next offset of a partition, if known. */
  positionOf(topic: string, partition: number): bigint | undefined {
    return this.#positions.get(partKey(topic, partition));
  }

  /** Records a start position just committed (nothing read yet, so nothing for the consumer group). */
  started(topic: string, partition: number, offset: bigint): void {
    this.#positions.set(partKey(topic, partition), offset);
  }

  /** Records a position committed after a batch, with the partition's high watermark seen in it. */
  advanced(topic: string, partition: number, after: bigint): void {
    const key = partKey(topic, partition);
    this.#positions.set(key, after);
    this.#groupDirty.add(key);
    const part = this.#assigned.get(key);
    if (part !== undefined) this.#updateLag(part);
  }

  /** Replaces the assignment; every assigned partition must have a position. */
  assign(assigned: readonly { topic: string; partition: number }[]): void {
    this.#assigned.clear();
    for (const { topic, partition } of assigned) {
      this.#assigned.set(partKey(topic, partition), {
        topic,
        partition,
        highWatermark: undefined,
        paused: false,
      });
    }
  }

  /** An assigned partition, if this process reads it. */
  assignedOf(topic: string, partition: number): AssignedPartition | undefined {
    return this.#assigned.get(partKey(topic, partition));
  }

  /**
   * Notes a partition's high watermark. The lag gauge follows at once when the monitor read it
   * (`updateLag`), or once the batch that carried it commits (see {@link IngressPartitions.advanced}).
   */
  sawHighWatermark(topic: string, partition: number, high: bigint, updateLag: boolean): void {
    const part = this.#assigned.get(partKey(topic, partition));
    if (part === undefined) return;
    part.highWatermark = high;
    if (updateLag) this.#updateLag(part);
  }

  /** The positions to copy to the consumer group now (each once, until it moves again). */
  takeGroupOffsets(): TopicPartitionOffset[] {
    const offsets = [...this.#groupDirty].flatMap((key) => {
      const part = this.#assigned.get(key);
      const position = this.#positions.get(key);
      return part === undefined || position === undefined
        ? []
        : [{ topic: part.topic, partition: part.partition, offset: String(position) }];
    });
    this.#groupDirty.clear();
    return offsets;
  }

  /** The assigned partitions' positions, lag and pause, for the connector's status. */
  status(): ConnectorPartStatus[] {
    return [...this.#assigned.values()].map((p) => {
      const position = this.positionOf(p.topic, p.partition);
      const lag =
        p.highWatermark !== undefined && position !== undefined
          ? Number(p.highWatermark - position)
          : undefined;
      return {
        source: p.topic,
        part: String(p.partition),
        position: position === undefined ? '' : String(position),
        ...(lag === undefined ? {} : { lag: Math.max(0, lag) }),
        paused: p.paused,
      };
    });
  }

  #updateLag(part: AssignedPartition): void {
    const position = this.positionOf(part.topic, part.partition);
    if (part.highWatermark === undefined || position === undefined) return;
    const lag = part.highWatermark - position;
    this.#lag.set(
      { ingress: this.#ingressId, topic: part.topic, partition: String(part.partition) },
      Number(lag < 0n ? 0n : lag),
    );
  }
}

function partKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
