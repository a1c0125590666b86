import { KafkaProducerRecord } from '@statehouse/protocol';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KAFKA_PRODUCER_RECORD_TYPENAME, kafkaRecordProblem, requestsOf } from './kafka-egress.js';

const record = (topic: string) => ({
  typename: KAFKA_PRODUCER_RECORD_TYPENAME,
  value: KafkaProducerRecord.encode({ key: 'k', valueBytes: Buffer.from('v'), topic }).finish(),
});

describe('kafkaRecordProblem', () => {
  it('takes a record to a valid topic and refuses one whose topic no broker would take', () => {
    expect(kafkaRecordProblem(record('greetings.v1'))).toBeUndefined();
    expect(kafkaRecordProblem(record(''))).toBe('the KafkaProducerRecord names no topic');
    expect(kafkaRecordProblem(record('bad topic!'))).toMatch(/topic "bad topic!" is not a Kafka topic name/);
    expect(kafkaRecordProblem(record('x'.repeat(250)))).toMatch(/is not a Kafka topic name/);
  });
});

describe('requestsOf', () => {
  const message = (i: number, bytes: number): Message => ({
    key: `k${i}`,
    value: Buffer.alloc(bytes),
    headers: { 'statehouse-record-id': `e/${i}` },
  });

  it('keeps a small delivery in one request', () => {
    const topics = [{ topic: 'a', messages: [message(0, 10), message(1, 10)] }];
    expect(requestsOf(topics)).toEqual([topics]);
  });

  it('splits a large delivery into requests under the limit, every topic in its order', () => {
    const a = Array.from({ length: 30 }, (_, i) => message(i, 100_000));
    const b = Array.from({ length: 5 }, (_, i) => message(100 + i, 100_000));
    const requests = requestsOf([
      { topic: 'a', messages: a },
      { topic: 'b', messages: b },
    ]);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      const bytes = request
        .flatMap((t) => t.messages)
        .reduce((sum, m) => sum + (m.value as Buffer).length, 0);
      expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
    const keysOf = (topic: string) =>
      requests.flatMap((r) =>
        r.filter((t) => t.topic === topic).flatMap((t) => t.messages.map((m) => m.key)),
      );
    expect(keysOf('a')).toEqual(a.map((m) => m.key));
    expect(keysOf('b')).toEqual(b.map((m) => m.key));
  });

  it('sends a record above the limit alone', () => {
    const requests = requestsOf([
      { topic: 'a', messages: [message(0, 10), message(1, 600_000), message(2, 10)] },
    ]);
    expect(requests.map((r) => r[0]!.messages.map((m) => m.key))).toEqual([['k0'], ['k1'], ['k2']]);
  });
});
