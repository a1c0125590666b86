/**
 * The official StateFun SDK's shopping cart (testkit's official-cart fixture, unmodified SDK code) fed only from
 * Kafka and egressing only to Kafka, exactly once: restocks (topic `restocks`, key = item) and AddToCart requests
 * (topic `carts`, key = user) go in; each request's outcome leaves as a `KafkaProducerRecord` to topic
 * `cart-results` through an exactly-once egress. Every request takes three invocations (cart → inventory → cart)
 * and messages between addresses, so a SIGKILL can land between any two of them.
 *
 * With three SIGKILLs of the runtime while a transaction is open: every request has exactly one outcome in Kafka
 * (a record seen twice belongs to a transaction in flight at a kill: the mock shows aborted records), the
 * inventories and carts agree with the outcomes (no reservation lost or made twice), and the producer's log shows
 * every transaction beginning where the previous one committed.
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
  type RuntimeProcess,
} from '@statehouse/testkit';
import { startKafkaRig, type KafkaRig, type OutRecord } from './kafka-rig.js';
import { checkTransactions, killDuringTransaction, txEvents, unexplainedDuplicates } from './transactions.js';

const REQUESTS = 100_000;
const USERS = 50;
const ITEMS = 20;
/** Units each item is restocked with: fewer than requested in all, so some requests fail. */
const STOCK = 4_000;
const KILLS = 3;
const EGRESS = CART_TYPES.egress;

function cartModule(serviceUrl: string, brokers: readonly string[]): string {
  const base = moduleYaml({
    endpoints: [{ functions: 'example/*', urlPathTemplate: `${serviceUrl}/statefun` }],
  });
  const kafka = [
    'kind: io.statefun.kafka.v1/ingress',
    'spec:',
    '  id: example/shop-in',
    `  address: ${brokers.join(',')}`,
    '  consumerGroupId: shop',
    '  startupPosition:',
    '    type: earliest',
    '  topics:',
    '    - topic: restocks',
    `      valueType: ${CART_TYPES.restock}`,
    '      targets: [example/inventory]',
    '    - topic: carts',
    `      valueType: ${CART_TYPES.addToCart}`,
    '      targets: [example/cart]',
    '  properties:',
    '    - session.timeout.ms: 6000',
    '    - heartbeat.interval.ms: 1000',
    '---',
    'kind: io.statefun.kafka.v1/egress',
    'spec:',
    `  id: ${EGRESS}`,
    `  address: ${brokers.join(',')}`,
    '  deliverySemantic:',
    '    type: exactly-once',
    '    transactionTimeout: 1min',
  ].join('\n');
  return `${base.trimEnd()}\n---\n${kafka}\n`;
}

describe('official SDK cart from Kafka to Kafka, exactly once (mock cluster, statehouse run, SIGKILLs)', () => {
  let rig: KafkaRig;
  let runtime: RuntimeProcess;
  let out: OutRecord[] = [];

  beforeAll(async () => {
    rig = await startKafkaRig({
      topics: [
        { name: 'restocks', partitions: 2 },
        { name: 'carts', partitions: 3 },
        { name: 'cart-results', partitions: 3 },
        { name: 'statehouse.example.cart-results.positions', partitions: 1 },
      ],
      serve: () => serveOfficialCart(0, { results: 'kafka' }),
      module: cartModule,
      runtimeArgs: ['--log-level', 'debug'],
    });
    runtime = rig.runtime;
    out = await rig.collect('cart-results');
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('every request has one outcome in Kafka and the state agrees with them, across three SIGKILLs', async () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    await rig.producer.send({
      topic: 'restocks',
      messages: Array.from({ length: ITEMS }, (_, i) => ({
        key: `item-${i}`,
        value: json({ itemId: `item-${i}`, quantity: STOCK }),
      })),
    });
    const random = seededRandom(7);
    for (let from = 0; from < REQUESTS; from += 1_000) {
      const messages = [];
      for (let i = from; i < from + 1_000; i++) {
        const userId = `user-${i % USERS}`;
        const itemId = `item-${Math.floor(random() * ITEMS)}`;
        messages.push({ key: userId, value: json({ userId, itemId, quantity: 1 }) });
      }
      await rig.producer.send({ topic: 'carts', messages });
    }

    await runtime.start();
    for (let kill = 1; kill <= KILLS; kill++) {
      await killDuringTransaction(runtime, Math.round((kill * REQUESTS) / (KILLS + 1)), { egress: EGRESS });
      await runtime.start();
    }
    const distinct = () => new Set(out.map((r) => r.id)).size;
    await waitFor(`${REQUESTS} distinct outcomes`, () => distinct() >= REQUESTS, {
      timeoutMs: 180_000,
      intervalMs: 200,
    });
    expect(distinct()).toBe(REQUESTS);

    // The outcomes, one per egress-log record, against the state of every inventory and cart.
    const outcomes = new Map<string, AddToCartResult>();
    for (const r of out) outcomes.set(r.id, JSON.parse(r.value) as AddToCartResult);
    const api = new ApiClient(runtime.url);
    expect(
      await cartStateProblems(api, outcomes.values(), { items: ITEMS, users: USERS, stock: STOCK }),
    ).toEqual([]);

    const events = txEvents(runtime.logs, EGRESS);
    const { problems, inFlight } = checkTransactions(events);
    expect(problems).toEqual([]);
    expect(events.filter((e) => e.kind === 'recovered').length).toBeGreaterThanOrEqual(KILLS + 1);
    // The kills hit open transactions: the case the recovery is for.
    expect(inFlight.length).toBeGreaterThan(0);
    expect(unexplainedDuplicates(out, inFlight)).toEqual([]);
  }, 300_000);
});
