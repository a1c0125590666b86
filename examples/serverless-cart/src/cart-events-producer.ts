/** The producer of the demo: puts AddToCart events to the `cart-events` stream, partition key = user id. */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { AddToCart } from '@statehouse/example-shopping-cart/src/messages.js';

/** The stream the ingress of module.yaml reads. */
export const CART_EVENTS_STREAM = 'cart-events';

/** PutRecords takes at most 500 records. */
const BATCH = 500;
const ATTEMPTS = 20;

/**
 * Puts each event as JSON (the `example/AddToCart` the cart reads), in order, 500 per PutRecords. Records Kinesis
 * refused (throughput) are put again before the next batch, so they may land after later events of their user.
 *
 * @param client - a Kinesis client (for kinesalite: the testkit's, which talks HTTP/1.1).
 * @param events - the events to put.
 * @param stream - the stream. @default `cart-events`
 * @throws an Error naming the stream when records are still refused after 20 attempts.
 */
export async function putCartEvents(
  client: KinesisClient,
  events: readonly AddToCart[],
  stream = CART_EVENTS_STREAM,
): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) {
    let pending = events
      .slice(i, i + BATCH)
      .map((e) => ({ PartitionKey: e.userId, Data: Buffer.from(JSON.stringify(e)) }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > ATTEMPTS) {
        throw new Error(
          `Kinesis refused ${pending.length} records of ${stream} ${ATTEMPTS} times: check the stream's throughput`,
        );
      }
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
      pending = pending.filter((_, j) => out.Records?.[j]?.ErrorCode !== undefined);
    }
  }
}
