/**
 * io.statehouse.egress.v1/http: records are POSTed to the webhook in offset order, at-least-once with
 * stable ids, retried while the webhook fails, and not delivered again after a restart once acknowledged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import { ApiClient, CART_TYPES, createTempDir, serveOfficialCart, waitFor } from '@statehouse/testkit';

interface Delivery {
  egress: string;
  records: { id: string; offset: number; type: string; json?: unknown }[];
}

describe('HTTP (webhook) egress', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('delivers in order, retries failures, and keeps its position across restarts', async () => {
    const deliveries: Delivery[] = [];
    let failuresLeft = 2;
    const webhook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end('not now');
          return;
        }
        deliveries.push(JSON.parse(body) as Delivery);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => webhook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    const service = await serveOfficialCart();
    cleanups.push(() => service.close());
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text: [
          'kind: io.statefun.endpoints.v2/http',
          'spec:',
          '  functions: example/*',
          `  urlPathTemplate: ${service.url}/statefun`,
          '---',
          'kind: io.statehouse.egress.v1/http',
          'spec:',
          `  id: ${CART_TYPES.egress}`,
          `  url: ${hookUrl}`,
        ].join('\n'),
      },
    ]);
    const start = (): Promise<Runtime> =>
      createRuntime({
        module,
        dataDir: dir.path,
        listen: '127.0.0.1:0',
        logger: pino({ level: 'silent' }),
        collectProcessMetrics: false,
      });
    let runtime = await start();
    const api = new ApiClient(runtime.url);
    await api.ingressJson('example/inventory', 'cap', CART_TYPES.restock, { itemId: 'cap', quantity: 2 });
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await api.ingressJson('example/cart', `u${i}`, CART_TYPES.addToCart, {
            userId: `u${i}`,
            itemId: 'cap',
            quantity: 1,
          })
        ).status,
      ).toBe(202);
    }
    const delivered = (): Delivery['records'] => deliveries.flatMap((d) => d.records);
    await waitFor('three records delivered', () => delivered().length >= 3, { timeoutMs: 15_000 });
    expect(failuresLeft).toBe(0);
    expect(delivered().map((r) => r.id)).toEqual([
      'example/cart-results/0',
      'example/cart-results/1',
      'example/cart-results/2',
    ]);
    expect(delivered().filter((r) => (r.json as { success: boolean }).success)).toHaveLength(2);
    expect(deliveries.every((d) => d.egress === CART_TYPES.egress)).toBe(true);
    expect((await api.get<string>('/metrics')).body).toMatch(
      /statehouse_egress_delivered_total\{egress="example\/cart-results"\} 3/,
    );

    await runtime.close();
    runtime = await start();
    cleanups.push(() => runtime.close());
    const restarted = new ApiClient(runtime.url);
    await restarted.ingressJson('example/cart', 'u9', CART_TYPES.addToCart, {
      userId: 'u9',
      itemId: 'cap',
      quantity: 1,
    });
    // The counter moves once the shipper has stored its cursor past the batch: from then on it sends nothing
    // more, so the deliveries are final (a redelivery of 0-2 would come first, in offset order).
    const deliveredSinceRestart = async (): Promise<number | undefined> => {
      const metrics = (await restarted.get<string>('/metrics')).body;
      const count = /statehouse_egress_delivered_total\{egress="example\/cart-results"\} (\d+)/.exec(
        metrics,
      )?.[1];
      return count === undefined || count === '0' ? undefined : Number(count);
    };
    expect(await waitFor('fourth record acknowledged', deliveredSinceRestart, { timeoutMs: 15_000 })).toBe(1);
    expect(delivered().map((r) => r.offset)).toEqual([0, 1, 2, 3]);
  });
});
