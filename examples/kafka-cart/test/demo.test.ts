/**
 * `npm run kafka-demo` as its test: runs the demo's function on a temporary work directory and checks what the user
 * would see: each cart event's result read back from Kafka, keyed by user, and the state committed in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '@statehouse/testkit';
import { runKafkaDemo, type KafkaDemoResult } from '../src/run-demo.js';

describe('examples/kafka-cart: npm run kafka-demo', () => {
  let dir: TempDir;
  let result: KafkaDemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await createTempDir('statehouse-kafka-cart-');
    result = await runKafkaDemo({ workDir: `${dir.path}/kafka-demo`, print: (line) => lines.push(line) });
  }, 60_000);

  afterAll(async () => {
    await dir?.cleanup();
  });

  it('reads one result per cart event from the cart-results topic, keyed by user', () => {
    const byEvent = [...result.results].sort((a, b) =>
      `${a.key}/${a.value.itemId}`.localeCompare(`${b.key}/${b.value.itemId}`),
    );
    expect(byEvent.map((r) => ({ key: r.key, value: r.value }))).toEqual([
      { key: 'kim', value: { userId: 'kim', itemId: 'hat', quantity: 1, success: true } },
      { key: 'kim', value: { userId: 'kim', itemId: 'socks', quantity: 2, success: true } },
      { key: 'lee', value: { userId: 'lee', itemId: 'hat', quantity: 2, success: false } },
      { key: 'lee', value: { userId: 'lee', itemId: 'socks', quantity: 1, success: true } },
    ]);
    for (const r of result.results) expect(r.recordId).toMatch(/^example\/cart-results\/\d+$/);
  });

  it('shows the state the events left', () => {
    expect(result.state).toEqual({
      'example/cart/kim': { items: { socks: 2, hat: 1 } },
      'example/cart/lee': { items: { socks: 1 } },
      'example/inventory/socks': { stock: { inStock: 2, reserved: 3 } },
      'example/inventory/hat': { stock: { inStock: 0, reserved: 1 } },
    });
  });

  it('prints what was sent and what came back, and stops everything it started', () => {
    const printed = lines.join('\n');
    expect(printed).toContain('→ cart-events  key lee  {"userId":"lee","itemId":"hat","quantity":2}');
    expect(printed).toContain(
      '← cart-results  key lee  {"userId":"lee","itemId":"hat","quantity":2,"success":false}',
    );
    expect(printed).toContain('/v1/connectors');
    expect(lines.at(-1)).toMatch(
      /^\nStopped the producer, the result consumer, statehouse run, the function service, the mock broker \(pid \d+\)\.$/,
    );
  });
});
