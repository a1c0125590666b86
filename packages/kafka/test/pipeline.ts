/**
 * The Kafka pipeline the egress tests run: `pipe/counter` (official SDK) counts the records of topic `in` per key
 * and sends `<key>:<count>:<value>` to topic `out` through the Kafka egress `pipe/out`; `pipe/bad` sends a record of
 * another type there.
 */
import {
  StateFun,
  kafkaEgressMessage,
  egressMessageBuilder,
  type Context,
  type Message,
} from 'apache-flink-statefun';
import { expect } from 'vitest';
import { moduleYaml, serveHttp, waitFor, type ApiClient, type FunctionService } from '@statehouse/testkit';
import type { OutRecord } from './kafka-rig.js';

/** `pipe/counter` counts per key and echoes `<key>:<n>` to Kafka; `pipe/bad` sends a log-style record there. */
export function servePipelineFunctions(): Promise<FunctionService> {
  const statefun = new StateFun();
  statefun.bind({
    typename: 'pipe/counter',
    specs: [{ name: 'count', type: StateFun.intType() }],
    fn(context: Context, message: Message) {
      const storage = context.storage as { count: number | null };
      const n = (storage.count ?? 0) + 1;
      storage.count = n;
      context.send(
        kafkaEgressMessage({
          typename: 'pipe/out',
          topic: 'out',
          key: context.self.id,
          value: `${context.self.id}:${n}:${message.asString()}`,
        }),
      );
    },
  });
  statefun.bind({
    typename: 'pipe/bad',
    fn(context: Context) {
      context.send(
        egressMessageBuilder({
          typename: 'pipe/out',
          value: 'not a KafkaProducerRecord',
          valueType: StateFun.stringType(),
        }),
      );
    },
  });
  const handler = statefun.handler();
  return serveHttp((req, res) => void handler(req, res));
}

export function pipelineModule(
  serviceUrl: string,
  brokers: readonly string[],
  semantic: 'at-least-once' | 'exactly-once',
): string {
  // A short call budget: the bad function stalls within seconds.
  const base = moduleYaml({
    endpoints: [{ functions: 'pipe/*', urlPathTemplate: `${serviceUrl}/statefun`, call: '3s' }],
  });
  const kafka = [
    'kind: io.statefun.kafka.v1/ingress',
    'spec:',
    '  id: pipe/in',
    `  address: ${brokers.join(',')}`,
    '  consumerGroupId: pipe',
    '  startupPosition:',
    '    type: earliest',
    '  topics:',
    '    - topic: in',
    '      valueType: io.statefun.types/string',
    '      targets: [pipe/counter]',
    '  properties:',
    '    - session.timeout.ms: 6000',
    '    - heartbeat.interval.ms: 1000',
    '---',
    'kind: io.statefun.kafka.v1/egress',
    'spec:',
    '  id: pipe/out',
    `  address: ${brokers.join(',')}`,
    '  deliverySemantic:',
    `    type: ${semantic}`,
    ...(semantic === 'exactly-once' ? ['    transactionTimeout: 1min'] : []),
  ].join('\n');
  return `${base.trimEnd()}\n---\n${kafka}\n`;
}

/** A StateFun string: the SDK's wrapper message, field 1 (string). */
export function statefunString(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

/**
 * Checks the pipeline's outcome after `total` records over `keys` keys (`k<n>`): every counter counted its share
 * exactly once, and per key the counts first reached `out` in order (a resent batch repeats a run, never reorders).
 */
export async function expectCountedInOrder(
  api: ApiClient,
  out: readonly OutRecord[],
  total: number,
  keys: number,
): Promise<void> {
  for (let k = 0; k < keys; k++) {
    const state = await api.state('pipe/counter', `k${k}`);
    expect(state.body.values?.['count']?.json).toBe(total / keys);
  }
  for (let k = 0; k < keys; k++) {
    const counts = out.filter((r) => r.key === `k${k}`).map((r) => Number(r.value.split(':')[1]));
    const firstSeen = [...new Set(counts)];
    expect(firstSeen).toEqual(Array.from({ length: total / keys }, (_, i) => i + 1));
  }
}

/** Waits until `GET /v1/connectors` shows the egress `pipe/out` shipped to its end (lag 0); returns its entry. */
export function egressCaughtUp(api: ApiClient): Promise<Record<string, unknown>> {
  return waitFor('the egress caught up', async () => {
    const { body } = await api.get<{ connectors: Record<string, unknown>[] }>('/v1/connectors');
    const entry = body.connectors.find((c) => c['direction'] === 'egress' && c['id'] === 'pipe/out');
    return entry?.['lag'] === 0 ? entry : undefined;
  });
}
