/**
 * `npm run serverless-demo` as its test, with a few hundred cart events: every event's result is read back from
 * the `cart-results` stream (at least once), the carts and the inventory hold what the events left (exactly once
 * into state), and every function call went through the Lambda handler behind the local function URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddToCart, Restock } from '@statehouse/example-shopping-cart/src/messages.js';
import { createTempDir, type TempDir } from '@statehouse/testkit';
import { DEMO_EVENTS, DEMO_RESTOCKS, runServerlessDemo, type ServerlessDemoResult } from '../src/run-demo.js';

const USERS = Array.from({ length: 20 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
const ITEMS = ['mug', 'pen', 'book', 'lamp'];
const STOCK = 10_000;
/** 300 events on items of their own, with stock for all: each succeeds, whatever the order. */
const BULK_EVENTS: AddToCart[] = Array.from({ length: 300 }, (_, i) => ({
  userId: USERS[i % USERS.length]!,
  itemId: ITEMS[(i * 7) % ITEMS.length]!,
  quantity: 1 + (i % 3),
}));
const RESTOCKS: Restock[] = [...DEMO_RESTOCKS, ...ITEMS.map((itemId) => ({ itemId, quantity: STOCK }))];
const EVENTS: AddToCart[] = [...DEMO_EVENTS, ...BULK_EVENTS];

describe('examples/serverless-cart: npm run serverless-demo', () => {
  let dir: TempDir;
  let result: ServerlessDemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await createTempDir('statehouse-serverless-cart-');
    result = await runServerlessDemo({
      workDir: `${dir.path}/serverless-demo`,
      print: (line) => lines.push(line),
      restocks: RESTOCKS,
      events: EVENTS,
    });
  }, 60_000);

  afterAll(async () => {
    await dir?.cleanup();
  });

  it('reads a result for every cart event from cart-results, keyed by user', () => {
    const count = new Map<string, number>();
    const key = (x: object) => JSON.stringify(x);
    for (const r of result.results) {
      expect(r.partitionKey).toBe(r.value.userId);
      count.set(key(r.value), (count.get(key(r.value)) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    const demoOutcome = (e: AddToCart) => !(e.userId === 'lee' && e.itemId === 'hat');
    for (const e of DEMO_EVENTS) {
      const k = key({ ...e, success: demoOutcome(e) });
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    for (const e of BULK_EVENTS) {
      const k = key({ ...e, success: true });
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    // At least once: a record put again after a failed request is read twice; none is missing.
    for (const [k, n] of expected) expect(count.get(k) ?? 0, k).toBeGreaterThanOrEqual(n);
    expect(result.results.length).toBeGreaterThanOrEqual(EVENTS.length);
  });

  it('leaves each cart and item as the events say, exactly once', () => {
    const carts = new Map<string, Record<string, number>>();
    const reserved = new Map<string, number>();
    for (const e of BULK_EVENTS) {
      const items = carts.get(e.userId) ?? {};
      items[e.itemId] = (items[e.itemId] ?? 0) + e.quantity;
      carts.set(e.userId, items);
      reserved.set(e.itemId, (reserved.get(e.itemId) ?? 0) + e.quantity);
    }
    for (const [userId, items] of carts) expect(result.state[`example/cart/${userId}`]).toEqual({ items });
    for (const [itemId, n] of reserved) {
      expect(result.state[`example/inventory/${itemId}`]).toEqual({
        stock: { inStock: STOCK - n, reserved: n },
      });
    }
    expect(result.state['example/cart/kim']).toEqual({ items: { socks: 2, hat: 1 } });
    expect(result.state['example/cart/lee']).toEqual({ items: { socks: 1 } });
    expect(result.state['example/inventory/hat']).toEqual({ stock: { inStock: 0, reserved: 1 } });
  });

  it('ran every function through the Lambda handler behind the local function URL', () => {
    // At least one invocation per restock, event, reservation and answer; batches can merge some.
    expect(result.invocations).toBeGreaterThan(0);
    expect(result.failures).toBe(0);
    expect(lines.join('\n')).toMatch(
      /The Lambda handler ran \d+ times through the local function URL \(0 failed\)/,
    );
  });

  it('prints what was sent and what came back, and stops everything it started', () => {
    const printed = lines.join('\n');
    expect(printed).toContain('→ cart-events  key kim  {"userId":"kim","itemId":"socks","quantity":2}');
    expect(printed).toContain('… and 296 more');
    expect(lines.at(-1)).toBe('\nStopped the result consumer, statehouse run, the function URL, kinesalite.');
  });
});
