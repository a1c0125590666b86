/**
 * The exactly-once sink against the mock cluster, without a runtime: the position it recovers comes from Kafka's
 * committed position records, not from the store's cursor (a cursor write lost in a crash is corrected), and a
 * position written for another egress log (a data directory started afresh against the same topics) is not taken.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaProducerRecord } from '@statehouse/protocol';
import type { EgressRecord, KafkaEgressConfig } from '@statehouse/runtime';
import { startMockKafka, type MockKafka } from '@statehouse/testkit';
import { KAFKA_PRODUCER_RECORD_TYPENAME, KafkaTransactionalSink } from '../src/index.js';

const EGRESS = 'sink/out';
const POSITIONS = 'statehouse.sink.out.positions';

function config(brokers: readonly string[]): KafkaEgressConfig {
  return {
    source: 'test',
    kind: 'io.statefun.kafka.v1/egress',
    id: EGRESS,
    brokers,
    deliverySemantic: { type: 'exactly-once', transactionTimeoutMs: 60_000 },
    properties: new Map(),
  };
}

/** Egress-log records `[from, to)` for topic `out`, created at `createdAt + offset`. */
function records(from: number, to: number, createdAt = 1_000): EgressRecord[] {
  return Array.from({ length: to - from }, (_, i) => {
    const offset = from + i;
    const value = KafkaProducerRecord.encode({
      topic: 'out',
      key: `k${offset % 3}`,
      valueBytes: Buffer.from(`v${offset}`),
    }).finish();
    return {
      egressId: EGRESS,
      offset,
      producer: { type: 'sink/counter', id: `k${offset % 3}` },
      value: { typename: KAFKA_PRODUCER_RECORD_TYPENAME, value },
      createdAt: createdAt + offset,
    };
  });
}

/** A store's log of `log`: what the sink may read back at an offset. */
function recordAt(log: readonly EgressRecord[]) {
  return (offset: number): Promise<EgressRecord | undefined> =>
    Promise.resolve(log.find((r) => r.offset === offset));
}

describe('KafkaTransactionalSink (mock cluster)', () => {
  let kafka: MockKafka;
  const sinks: KafkaTransactionalSink[] = [];
  const newSink = (): KafkaTransactionalSink => {
    const sink = new KafkaTransactionalSink(config(kafka.brokers), {
      log: pino({ level: 'silent' }),
      registry: new Registry(),
    });
    sinks.push(sink);
    return sink;
  };

  beforeAll(async () => {
    kafka = await startMockKafka({
      brokers: 1,
      topics: [
        { name: 'out', partitions: 3 },
        { name: POSITIONS, partitions: 1 },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    for (const sink of sinks) await sink.close();
    await kafka?.stop();
  });

  it('recovers the position Kafka committed, whatever the cursor the store kept', async () => {
    const log = records(0, 25);
    const first = newSink();
    expect(await first.recover(0, recordAt(log))).toBe(0);
    await first.deliver(log.slice(0, 10));
    await first.deliver(log.slice(10, 25));
    await first.close();

    // The process died after the commit and before the store's cursor moved past the last batch.
    const second = newSink();
    expect(await second.recover(10, recordAt(log))).toBe(25);
    // A store cursor that already agrees stays.
    const third = newSink();
    expect(await third.recover(25, recordAt(log))).toBe(25);
    await second.close();
    await third.close();

    // The records reached `out`, once each, with their ids.
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: 'reader', maxWaitTimeInMs: 50 });
    const ids: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['out'], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        ids.push(String(message.headers?.['statehouse-record-id']));
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 20_000;
    while (ids.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(ids.sort()).toEqual(log.map((r) => `${EGRESS}/${r.offset}`).sort());
  }, 90_000);

  it("does not take a position written for another store's egress log", async () => {
    // A data directory started afresh: its log has other records at the same offsets.
    const freshLog = records(0, 30, 999_999);
    const sink = newSink();
    expect(await sink.recover(0, recordAt(freshLog))).toBe(0);
    // And a log shorter than the position: nothing at the offset before it.
    const shortLog = records(0, 5);
    expect(await newSink().recover(0, recordAt(shortLog))).toBe(0);
  }, 60_000);
});
