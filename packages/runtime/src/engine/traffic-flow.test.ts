import { describe, expect, it } from 'vitest';
import type { EffectSet } from './effect-set.js';
import { TrafficFlow } from './traffic-flow.js';

const cart = { type: 'example/cart', id: 'Kim' };
const inventory = { type: 'example/inventory', id: 'pen' };

function effects(parts: Partial<EffectSet>): EffectSet {
  return {
    consumedMessages: [],
    firedTimers: [],
    messages: [],
    timerOps: [],
    stateWrites: [],
    egress: [],
    fenceKeyGroups: [],
    ...parts,
  };
}

describe('TrafficFlow', () => {
  it('counts invocations, consumed messages, messages, delayed messages and egress records per edge', () => {
    const flow = new TrafficFlow();
    const value = { typename: 't/x', value: new Uint8Array() };
    flow.recordIngress('example/cart', 2);
    flow.recordCommitted(
      effects({
        address: cart,
        consumedMessages: [1, 2],
        messages: [{ seq: 3, keyGroup: 0, target: inventory, caller: cart, argument: value, enqueuedAt: 0 }],
        timerOps: [
          {
            add: {
              id: 1,
              keyGroup: 0,
              fireAt: 0,
              sender: cart,
              token: undefined,
              target: inventory,
              argument: value,
            },
          },
          { cancel: { sender: cart, token: 'x' } },
        ],
        egress: [{ egressId: 'example/out', offset: 0, producer: cart, value, createdAt: 0 }],
      }),
    );
    // A timer firing has no address: not an invocation.
    flow.recordCommitted(effects({ firedTimers: [1] }));
    const counts = flow.counts();
    expect(counts.types.get('example/cart')).toEqual({ invocations: 1, messages: 2 });
    expect([...counts.edges.values()]).toEqual([
      { from: 'ingress', to: 'example/cart', count: 2 },
      { from: 'example/cart', to: 'example/inventory', count: 2 },
      { from: 'example/cart', to: 'egress:example/out', count: 1 },
    ]);
  });

  it('hands out copies: later counts do not change an earlier snapshot', () => {
    const flow = new TrafficFlow();
    flow.recordIngress('a/b');
    const before = flow.counts();
    flow.recordIngress('a/b');
    expect([...before.edges.values()][0]!.count).toBe(1);
    expect([...flow.counts().edges.values()][0]!.count).toBe(2);
  });
});
