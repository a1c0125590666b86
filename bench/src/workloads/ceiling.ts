/**
 * ceiling: the function service driven directly over the request-reply protocol, no runtime: a closed loop
 * of `ToFunction` requests with the state present, one message per request. For the cart, one event is the
 * three requests the runtime would make (AddToCart → cart, RequestItem → inventory, ItemReserved → cart).
 */
import {
  FromFunction,
  INT_TYPENAME,
  IntWrapper,
  ToFunction,
  type ToFunctionProps,
} from '@statehouse/protocol';
import { Pool } from 'undici';

import type { LatencySummary } from '../histogram.js';
import { runClosedLoop } from '../load.js';
import { CART, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import type { ServiceHandle } from '../processes.js';
import { CpuWindow } from './session.js';
import { COUNTER_KEYS } from './counter.js';
import { CART_ITEMS } from './cart.js';

/** Which requests one ceiling "event" is made of. */
export type CeilingKind = 'counter' | 'cart';

/** What one ceiling run measured. */
export interface CeilingResult {
  readonly kind: CeilingKind;
  readonly concurrency: number;
  /** Events (counter: requests; cart: three-request sequences) per second. */
  readonly perSecond: number;
  /** Latency of one event. */
  readonly latency: LatencySummary;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly serviceCpuUsPerEvent: number;
}

const encoder = new TextEncoder();

function address(type: string, id: string): { namespace: string; type: string; id: string } {
  const slash = type.lastIndexOf('/');
  return { namespace: type.slice(0, slash), type: type.slice(slash + 1), id };
}

function json(typename: string, value: unknown): { typename: string; hasValue: true; value: Uint8Array } {
  return { typename, hasValue: true, value: encoder.encode(JSON.stringify(value)) };
}

function encode(props: ToFunctionProps): Uint8Array {
  return ToFunction.encode(props).finish();
}

/** One prebuilt counter request per key, state `count` present. */
function counterRequests(): Uint8Array[][] {
  return Array.from({ length: COUNTER_KEYS }, (_, k) => [
    encode({
      invocation: {
        target: address(COUNTER_TYPE, `k${k}`),
        state: [
          {
            stateName: 'count',
            stateValue: {
              typename: INT_TYPENAME,
              hasValue: true,
              value: IntWrapper.encode({ value: 41 }).finish(),
            },
          },
        ],
        invocations: [{ argument: json(INCREMENT_TYPENAME, { seq: k, sentAt: 0 }) }],
      },
    }),
  ]);
}

/** One prebuilt three-request event per item, each with its function's state present. */
function cartRequests(): Uint8Array[][] {
  return Array.from({ length: CART_ITEMS }, (_, i) => {
    const itemId = `item-${i}`;
    const userId = `ceiling-${i}`;
    const cart = address(CART.cartType, userId);
    const items = {
      typename: CART.itemsTypename,
      hasValue: true,
      value: encoder.encode(JSON.stringify({ [itemId]: 1 })),
    };
    const stock = {
      typename: CART.stockTypename,
      hasValue: true,
      value: encoder.encode(JSON.stringify({ inStock: 1e9, reserved: 0 })),
    };
    const request = { itemId, quantity: 1 };
    return [
      encode({
        invocation: {
          target: cart,
          state: [{ stateName: 'items', stateValue: items }],
          invocations: [{ argument: json(CART.addToCart, { userId, itemId, quantity: 1 }) }],
        },
      }),
      encode({
        invocation: {
          target: address(CART.inventoryType, itemId),
          state: [{ stateName: 'stock', stateValue: stock }],
          invocations: [{ caller: cart, argument: json(CART.requestItem, request) }],
        },
      }),
      encode({
        invocation: {
          target: cart,
          state: [{ stateName: 'items', stateValue: items }],
          invocations: [{ argument: json(CART.itemReserved, request) }],
        },
      }),
    ];
  });
}

async function call(pool: Pool, body: Uint8Array): Promise<Uint8Array> {
  const res = await pool.request({
    method: 'POST',
    path: '/statefun',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  const bytes = new Uint8Array(await res.body.arrayBuffer());
  if (res.statusCode !== 200)
    throw new Error(
      `function service answered ${res.statusCode}: ${new TextDecoder().decode(bytes).slice(0, 300)}`,
    );
  return bytes;
}

/** Checks that each request of an event gets a real result (not IncompleteInvocationContext, which is cheaper). */
async function validate(pool: Pool, event: readonly Uint8Array[]): Promise<void> {
  for (const body of event) {
    const reply = FromFunction.decode(await call(pool, body));
    if (reply.invocationResult === null || reply.invocationResult === undefined) {
      const what = reply.incompleteInvocationContext
        ? 'IncompleteInvocationContext (state specs differ)'
        : 'an empty reply';
      throw new Error(`a ceiling request got ${what} instead of an invocation result`);
    }
  }
}

/**
 * Measures the ceiling of one kind at one concurrency.
 *
 * @param service - the running function service.
 * @param kind - counter or cart events.
 * @param concurrency - events in flight.
 * @param warmupMs - not counted.
 * @param durationMs - the window.
 * @returns events per second and event latency.
 */
export async function runCeiling(
  service: ServiceHandle,
  kind: CeilingKind,
  concurrency: number,
  warmupMs: number,
  durationMs: number,
): Promise<CeilingResult> {
  const events = kind === 'counter' ? counterRequests() : cartRequests();
  const pool = new Pool(service.url, { connections: concurrency, keepAliveTimeout: 60_000 });
  const cpu = new CpuWindow([service.pid]);
  try {
    await validate(pool, events[0]!);
    let next = 0;
    const loop = await runClosedLoop({
      concurrency,
      warmupMs,
      durationMs,
      onWindowStart: () => cpu.open(),
      onWindowEnd: () => cpu.close(),
      operation: async () => {
        const event = events[next++ % events.length]!;
        for (const body of event) await call(pool, body);
        return 'ok';
      },
    });
    return {
      kind,
      concurrency,
      perSecond: loop.perSecond,
      latency: loop.latency.summary(),
      errors: loop.errors,
      firstError: loop.firstError,
      serviceCpuUsPerEvent: (cpu.seconds(0) * 1e6) / loop.completed,
    };
  } finally {
    await pool.close();
  }
}
