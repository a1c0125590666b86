/**
 * Where a Kinesis ingress stands in one shard, as committed with the inbox rows (the `position` text of a
 * connector position, per stream and shard): after a sequence number, at a timestamp (a first start at `latest`
 * or a `date`), at the shard's start (`earliest`, and every shard found after the first start), or at its end
 * (a closed shard read to the last record: its children may be read).
 */
import type { GetShardIteratorCommandInput } from '@aws-sdk/client-kinesis';

/** A position in a shard. */
export type ShardPosition =
  | { readonly type: 'after'; readonly sequenceNumber: string }
  | { readonly type: 'at-timestamp'; readonly epochMs: number }
  | { readonly type: 'trim-horizon' }
  | { readonly type: 'end' };

/** The start of a shard. */
export const TRIM_HORIZON: ShardPosition = Object.freeze({ type: 'trim-horizon' });
/** The end of a closed shard, read to its last record. */
export const SHARD_END: ShardPosition = Object.freeze({ type: 'end' });

/** The text a position is stored as. */
export function formatPosition(position: ShardPosition): string {
  switch (position.type) {
    case 'after':
      return `after:${position.sequenceNumber}`;
    case 'at-timestamp':
      return `at:${position.epochMs}`;
    case 'trim-horizon':
      return 'trim-horizon';
    case 'end':
      return 'end';
  }
}

/**
 * A stored position.
 *
 * @throws Error when the text is not one this connector wrote.
 */
export function parsePosition(text: string): ShardPosition {
  if (text === 'trim-horizon') return TRIM_HORIZON;
  if (text === 'end') return SHARD_END;
  const after = /^after:(\d+)$/u.exec(text);
  if (after !== null) return { type: 'after', sequenceNumber: after[1]! };
  const at = /^at:(\d+)$/u.exec(text);
  if (at !== null) return { type: 'at-timestamp', epochMs: Number(at[1]) };
  throw new Error(`not a Kinesis shard position: ${JSON.stringify(text)}`);
}

/** The GetShardIterator parameters that read from a position (not `end`). */
export function iteratorRequest(
  stream: string,
  shardId: string,
  position: Exclude<ShardPosition, { type: 'end' }>,
): GetShardIteratorCommandInput {
  const base = { StreamName: stream, ShardId: shardId };
  switch (position.type) {
    case 'after':
      return {
        ...base,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: position.sequenceNumber,
      };
    case 'at-timestamp':
      return { ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(position.epochMs) };
    case 'trim-horizon':
      return { ...base, ShardIteratorType: 'TRIM_HORIZON' };
  }
}
