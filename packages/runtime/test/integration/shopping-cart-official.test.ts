import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import {
  ApiClient,
  CART_TYPES,
  createTempDir,
  moduleYaml,
  serveOfficialCart,
  waitFor,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';

describe('shopping cart with the official apache-flink-statefun SDK (embedded runtime)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function setup(): Promise<{
    runtime: Runtime;
    api: ApiClient;
    service: FunctionService;
    dir: TempDir;
  }> {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveOfficialCart();
    cleanups.push(() => service.close());
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text: moduleYaml({
          endpoints: [{ functions: 'example/*', urlPathTemplate: `${service.url}/statefun` }],
          logEgresses: [CART_TYPES.egress],
        }),
      },
    ]);
    const runtime = await createRuntime({
      module,
      dataDir: dir.path,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'warn' }),
      collectProcessMetrics: false,
    });
    cleanups.push(() => runtime.close());
    return { runtime, api: new ApiClient(runtime.url), service, dir };
  }

  it('reserves stock, adds to the cart, emits results, and refuses once stock runs out', async () => {
    const { api } = await setup();
    expect(
      (
        await api.ingressJson('example/inventory', 'socks', CART_TYPES.restock, {
          itemId: 'socks',
          quantity: 2,
        })
      ).status,
    ).toBe(202);
    await waitFor(
      'restock committed',
      async () => (await api.state('example/inventory', 'socks')).status === 200,
    );

    for (let i = 0; i < 3; i++) {
      const res = await api.ingressJson('example/cart', 'Kim', CART_TYPES.addToCart, {
        userId: 'Kim',
        itemId: 'socks',
        quantity: 1,
      });
      expect(res.status).toBe(202);
      expect(res.body.messageId).toMatch(/^\d+$/);
      await waitFor(`result ${i + 1}`, async () => (await api.allEgress(CART_TYPES.egress)).length === i + 1);
    }
    const records = await api.allEgress(CART_TYPES.egress);
    expect(records.map((r) => r.json)).toEqual([
      { userId: 'Kim', itemId: 'socks', quantity: 1, success: true },
      { userId: 'Kim', itemId: 'socks', quantity: 1, success: true },
      { userId: 'Kim', itemId: 'socks', quantity: 1, success: false },
    ]);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(records[0]!.type).toBe(CART_TYPES.result);

    const cart = await api.state('example/cart', 'Kim');
    expect(cart.body.values?.['items']?.json).toEqual({ socks: 2 });
    const inventory = await api.state('example/inventory', 'socks');
    expect(inventory.body.values?.['stock']).toMatchObject({
      type: 'example/Stock',
      json: { inStock: 0, reserved: 2 },
    });
    expect((await api.state('example/cart', 'nobody')).status).toBe(404);
  });
});
