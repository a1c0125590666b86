/**
 * Which stream a Kinesis ingress's positions belong to. A stream deleted and created again under the same name has
 * the same shard ids, but sequence numbers of the old stream are invalid in it: Kinesis refuses an iterator after
 * them, and reading would stop for good. So the ingress commits, beside a stream's shard positions, a marker with
 * the stream's creation time; a stream whose creation time differs is a new stream, read from its start.
 */
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { ConnectorPosition } from '@statehouse/runtime';

/** The `part` of the marker position (shard ids look like `shardId-000000000000`: no collision). */
export const STREAM_MARKER_PART = '~stream';

/** The marker of a stream created at `createdMs`. */
export function streamMarker(connector: string, stream: string, createdMs: number): ConnectorPosition {
  return { connector, source: stream, part: STREAM_MARKER_PART, position: `created:${createdMs}` };
}

/** The creation time of a marker's position text, or `undefined` when it is not a marker this connector wrote. */
export function createdOf(position: string): number | undefined {
  const match = /^created:(\d+)$/u.exec(position);
  return match === null ? undefined : Number(match[1]);
}

/** When the stream was created, epoch ms. */
export async function streamCreatedAt(client: KinesisClient, stream: string): Promise<number> {
  const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  const created = out.StreamDescriptionSummary?.StreamCreationTimestamp;
  if (created === undefined) throw new Error(`Kinesis returned no creation time for stream ${stream}`);
  return created.getTime();
}
