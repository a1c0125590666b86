/**
 * The shopping cart fed only from Kinesis and writing only to Kinesis, written with two SDKs at once: the cart is the
 * official StateFun SDK's (testkit's official-cart fixture, unmodified SDK code), the inventory is ours
 * (examples/shopping-cart), deployed as an AWS Lambda handler behind the local function-URL adapter of
 * examples/serverless-cart. restocks (stream `restocks`, partition key = item) and AddToCart requests
 * (stream `carts`, partition key = user) go in; each request's outcome leaves as a `KinesisEgressRecord` to stream
 * `cart-results`, in the record-id envelope. Every request takes three invocations (cart → inventory → cart), so a
 * SIGKILL can land between any two of them.
 *
 * With SIGKILLs of the runtime at three random points while it works: every request has an outcome in the stream
 * (repeats, which at-least-once delivery allows, carry the id of the first), and the inventories and carts agree
 * with the outcomes: no reservation lost or made twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  CART_TYPES,
  cartStateProblems,
  moduleYaml,
  seededRandom,
  serveOfficialCart,
  waitFor,
  type AddToCartResult,
  type Kinesalite,
  type RuntimeProcess,
} from '@statehouse/testkit';
import { createLambdaHandler } from '@statehouse/sdk';
import { inventory } from '@statehouse/example-shopping-cart/src/inventory.js';
import {
  startFunctionUrlServer,
  type FunctionUrlServer,
} from '@statehouse/example-serverless-cart/src/function-url-server.js';
import { kinesaliteAccess, startKinesisRig, type KinesisRig } from './kinesis-rig.js';

const REQUESTS = 20_000;
const USERS = 50;
const ITEMS = 20;
/** Units each item is restocked with: fewer than requested in all, so some requests fail. */
const STOCK = 800;
const KILLS = 3;
const EGRESS = CART_TYPES.egress;

function cartModule(cartUrl: string, inventoryUrl: string, kinesis: Kinesalite): string {
  const base = moduleYaml({
    endpoints: [
      { functions: 'example/cart', urlPathTemplate: `${cartUrl}/statefun` },
      { functions: 'example/inventory', urlPathTemplate: inventoryUrl },
    ],
  });
  const documents = [
    'kind: io.statefun.kinesis.v1/ingress',
    'spec:',
    '  id: example/shop-in',
    ...kinesaliteAccess(kinesis),
    '  startupPosition:',
    '    type: earliest',
    '  streams:',
    '    - stream: restocks',
    `      valueType: ${CART_TYPES.restock}`,
    '      targets: [example/inventory]',
    '    - stream: carts',
    `      valueType: ${CART_TYPES.addToCart}`,
    '      targets: [example/cart]',
    '  clientConfigProperties:',
    '    - flink.shard.getrecords.intervalmillis: 50',
    '    - flink.shard.getrecords.maxrecordcount: 1000',
    '---',
    'kind: io.statefun.kinesis.v1/egress',
    'spec:',
    `  id: ${EGRESS}`,
    ...kinesaliteAccess(kinesis),
    '  recordIdEnvelope: true',
  ].join('\n');
  return `${base.trimEnd()}\n---\n${documents}\n`;
}

/** Records of the egress shipped so far, from `GET /v1/connectors`. */
async function shipped(api: ApiClient): Promise<number> {
  const answer = await api.get<{ connectors: { id: string; shipped?: number }[] }>('/v1/connectors');
  return answer.body.connectors.find((c) => c.id === EGRESS)?.shipped ?? 0;
}

describe('cart (official SDK) and inventory (ours, as a Lambda) from Kinesis to Kinesis (kinesalite, SIGKILLs)', () => {
  let rig: KinesisRig;
  let runtime: RuntimeProcess;
  let lambda: FunctionUrlServer;

  beforeAll(async () => {
    lambda = await startFunctionUrlServer(createLambdaHandler([inventory]));
    rig = await startKinesisRig({
      streams: [
        { name: 'restocks', shards: 1 },
        { name: 'carts', shards: 3 },
        { name: 'cart-results', shards: 2 },
      ],
      serve: () => serveOfficialCart(0, { results: 'kinesis' }),
      module: (cartUrl, kinesis) => cartModule(cartUrl, lambda.url, kinesis),
    });
    runtime = rig.runtime;
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
    await lambda?.close();
  });

  it('every request has an outcome and the state agrees with them, across SIGKILLs at three random points', async () => {
    const random = seededRandom(11);
    await rig.kinesis.put(
      'restocks',
      Array.from({ length: ITEMS }, (_, i) => ({
        key: `item-${i}`,
        data: JSON.stringify({ itemId: `item-${i}`, quantity: STOCK }),
      })),
    );
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const userId = `user-${i % USERS}`;
      const itemId = `item-${Math.floor(random() * ITEMS)}`;
      return { key: userId, data: JSON.stringify({ userId, itemId, quantity: 1 }) };
    });
    await rig.kinesis.put('carts', requests);

    const killAt = Array.from({ length: KILLS }, () => Math.floor((0.1 + 0.8 * random()) * REQUESTS)).sort(
      (a, b) => a - b,
    );
    await runtime.start();
    for (const at of killAt) {
      await waitFor(`${at} outcomes shipped`, async () => (await shipped(new ApiClient(runtime.url))) >= at, {
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      await runtime.kill();
      await runtime.start();
    }

    // Every outcome, once per id (a repeat carries the id of the first and the same result).
    const outcomes = new Map<string, AddToCartResult>();
    await waitFor(
      `${REQUESTS} distinct outcomes`,
      async () => {
        for (const r of await rig.kinesis.readAll('cart-results')) {
          const envelope = JSON.parse(r.data.toString()) as { id: string; data: string };
          const result = JSON.parse(Buffer.from(envelope.data, 'base64').toString()) as AddToCartResult;
          const first = outcomes.get(envelope.id);
          if (first !== undefined) expect(result).toEqual(first);
          outcomes.set(envelope.id, result);
          expect(r.partitionKey).toBe(result.userId);
        }
        return outcomes.size >= REQUESTS;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(outcomes.size).toBe(REQUESTS);

    const api = new ApiClient(runtime.url);
    expect(
      await cartStateProblems(api, outcomes.values(), { items: ITEMS, users: USERS, stock: STOCK }),
    ).toEqual([]);
    // Some requests found the item sold out: both outcomes were exercised.
    expect([...outcomes.values()].some((o) => !o.success)).toBe(true);
    expect(runtime.exits.filter((e) => e.signal === 'SIGKILL')).toHaveLength(KILLS);
    // The inventory ran through the Lambda handler, and never failed.
    expect(lambda.invocations).toBeGreaterThan(0);
    expect(lambda.failures).toBe(0);
  }, 300_000);
});
