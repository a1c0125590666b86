/**
 * The official-SDK shopping cart, served over node:http on a free port, against an in-process Statehouse
 * runtime on a temporary SQLite store: restock, add to cart (reserved and unavailable), checkout.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import {
  ApiClient,
  createTempDir,
  serveHttp,
  waitFor,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';
import { createStatefun } from '../src/functions.js';

interface EgressRecord {
  offset: number;
  type: string;
  bytes: string;
  json?: unknown;
}

describe('examples/official-sdk: the shopping cart on the official apache-flink-statefun SDK', () => {
  let dir: TempDir;
  let service: FunctionService;
  let runtime: Runtime;
  let api: ApiClient;

  beforeAll(async () => {
    dir = await createTempDir('statehouse-official-sdk-');
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the SDK's handler answers every request itself
    service = await serveHttp(createStatefun().handler());
    // The example's own module.yaml, pointed at the port the service got.
    const yaml = await readFile(new URL('../module.yaml', import.meta.url), 'utf8');
    expect(yaml).toContain('http://127.0.0.1:8000/statefun');
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text: yaml.replace('http://127.0.0.1:8000/statefun', `${service.url}/statefun`),
      },
    ]);
    runtime = await createRuntime({
      module,
      dataDir: dir.path,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'warn' }),
      collectProcessMetrics: false,
    });
    api = new ApiClient(runtime.url);
  });

  afterAll(async () => {
    await runtime?.close();
    await service?.close();
    await dir?.cleanup();
  });

  /** Reads one record of a log egress at `offset`, long-polling with `wait=`. */
  async function egressAt(egressId: string, offset: number): Promise<EgressRecord> {
    const page = await api.get<{ records: EgressRecord[]; next: number }>(
      `/v1/egress/${egressId}?from=${offset}&limit=1&wait=5000`,
    );
    expect(page.status).toBe(200);
    const record = page.body.records[0];
    if (record === undefined) throw new Error(`no record at ${egressId} offset ${offset} within 5 s`);
    expect(page.body.next).toBe(offset + 1);
    return record;
  }

  async function stateJson(functionType: string, id: string, name: string): Promise<unknown> {
    const res = await api.state(functionType, id);
    return res.status === 200 ? res.body.values?.[name]?.json : undefined;
  }

  async function send(functionType: string, id: string, typename: string, value: unknown): Promise<void> {
    const res = await api.ingressJson(functionType, id, typename, value);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.messageId).toMatch(/^\d+$/);
  }

  it('restocks, reserves, refuses when out of stock, checks out and ships', async () => {
    await send('example/inventory', 'socks', 'example/Restock', { itemId: 'socks', quantity: 3 });
    await send('example/inventory', 'hat', 'example/Restock', { itemId: 'hat', quantity: 1 });

    // Reserved: cart → inventory → cart → egress.
    await send('example/cart', 'kim', 'example/AddToCart', { userId: 'kim', itemId: 'socks', quantity: 2 });
    const first = await egressAt('example/cart-results', 0);
    expect(first.type).toBe('example/AddToCartResult');
    expect(first.json).toEqual({ userId: 'kim', itemId: 'socks', quantity: 2, success: true });

    // Unavailable: only one hat in stock.
    await send('example/cart', 'kim', 'example/AddToCart', { userId: 'kim', itemId: 'hat', quantity: 2 });
    expect((await egressAt('example/cart-results', 1)).json).toEqual({
      userId: 'kim',
      itemId: 'hat',
      quantity: 2,
      success: false,
    });

    await send('example/cart', 'lee', 'example/AddToCart', { userId: 'lee', itemId: 'hat', quantity: 1 });
    expect((await egressAt('example/cart-results', 2)).json).toEqual({
      userId: 'lee',
      itemId: 'hat',
      quantity: 1,
      success: true,
    });

    const kim = await api.state('example/cart', 'kim');
    expect(kim.status).toBe(200);
    expect(kim.body.values?.['items']).toMatchObject({ type: 'example/CartItems', json: { socks: 2 } });
    const socks = await api.state('example/inventory', 'socks');
    expect(socks.body.values?.['stock']).toMatchObject({
      type: 'example/Stock',
      json: { inStock: 1, reserved: 2 },
    });
    expect(await stateJson('example/inventory', 'hat', 'stock')).toEqual({ inStock: 0, reserved: 1 });

    // Checkout: an order on the orders egress, ShipItem to each inventory, the cart emptied.
    await send('example/cart', 'kim', 'example/Checkout', { userId: 'kim' });
    const order = await egressAt('example/orders', 0);
    expect(order.type).toBe('example/Order');
    expect(order.json).toEqual({ userId: 'kim', items: { socks: 2 } });
    await waitFor('ShipItem applied to the socks inventory', async () => {
      const stock = (await stateJson('example/inventory', 'socks', 'stock')) as
        { reserved: number } | undefined;
      return stock?.reserved === 0;
    });
    expect(await stateJson('example/inventory', 'socks', 'stock')).toEqual({ inStock: 1, reserved: 0 });
    expect((await api.state('example/cart', 'kim')).status).toBe(404);
    // Lee's cart and the hat's reservation are untouched.
    expect(await stateJson('example/cart', 'lee', 'items')).toEqual({ hat: 1 });
    expect(await stateJson('example/inventory', 'hat', 'stock')).toEqual({ inStock: 0, reserved: 1 });

    // Nothing more was emitted, and nothing is stuck.
    expect((await api.allEgress('example/cart-results')).length).toBe(3);
    expect((await api.allEgress('example/orders')).length).toBe(1);
    expect((await api.get<{ stalled: unknown[] }>('/v1/stalled')).body).toEqual({
      stalled: [],
      total: 0,
      truncated: false,
    });
  });
});
