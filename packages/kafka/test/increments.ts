/**
 * The Kafka ingress tests' workload: increments (`{"txId": "tx-<n>"}`, key `counter-<n mod KEYS>`) produced to a
 * topic and counted by the official SDK's bank counter, which writes each txId to its ledger (a log egress).
 */
import type { Producer } from 'kafkajs';
import type { ApiClient } from '@statehouse/testkit';
import { expect } from 'vitest';
import { BANK_TYPES, moduleYaml, waitFor } from '@statehouse/testkit';

/** The topic of the increments. */
export const TOPIC = 'increments';
/** Its partitions. */
export const PARTITIONS = 4;
/** The counters the increments spread over (`counter-<n>`). */
export const KEYS = 20;

/** The official bank's counter fed by a Kafka ingress on `topic`, with its ledger (a log egress). */
export function incrementsModule(serviceUrl: string, brokers: readonly string[], topic: string): string {
  const ingress = [
    'kind: io.statefun.kafka.v1/ingress',
    'spec:',
    '  id: bank/increments',
    `  address: ${brokers.join(',')}`,
    '  consumerGroupId: statehouse-test',
    '  startupPosition:',
    '    type: earliest',
    '  topics:',
    `    - topic: ${topic}`,
    `      valueType: ${BANK_TYPES.increment}`,
    '      targets:',
    '        - bank/counter',
    '  properties:',
    // A SIGKILLed runtime holds its partitions until its session times out: keep the test's restarts short.
    '    - session.timeout.ms: 6000',
    '    - heartbeat.interval.ms: 1000',
  ].join('\n');
  const base = moduleYaml({
    endpoints: [{ functions: 'bank/*', urlPathTemplate: `${serviceUrl}/statefun` }],
    logEgresses: [BANK_TYPES.ledger],
  });
  return `${base.trimEnd()}\n---\n${ingress}\n`;
}

/** Produces `count` increments (`tx-<first + i>`) spread over the keys, in batches. */
export async function produceIncrements(producer: Producer, first: number, count: number): Promise<void> {
  for (let start = first; start < first + count; start += 500) {
    const end = Math.min(first + count, start + 500);
    const messages = [];
    for (let i = start; i < end; i++)
      messages.push({ key: `counter-${i % KEYS}`, value: JSON.stringify({ txId: `tx-${i}` }) });
    await producer.send({ topic: TOPIC, messages });
  }
}

/** Waits until the ledger holds `expected` increments; returns them. */
export async function ledgerOf(api: ApiClient, expected: number): Promise<string[]> {
  let txIds: string[] = [];
  await waitFor(
    `${expected} ledger records`,
    async () => {
      const records = await api.allEgress(BANK_TYPES.ledger);
      txIds = records.map((r) => (r.json as { txId: string }).txId);
      return txIds.length >= expected;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return txIds;
}

/** Waits for `total` ledger records, then checks each txId is there once and every counter counted its share. */
export async function expectCountedExactlyOnce(api: ApiClient, total: number): Promise<void> {
  const txIds = await ledgerOf(api, total);
  expect(txIds.length).toBe(total);
  expect(new Set(txIds).size).toBe(total);
  for (let k = 0; k < KEYS; k++) {
    const state = await api.state('bank/counter', `counter-${k}`);
    expect(state.body.values?.['count']?.json).toBe(total / KEYS);
  }
}
