/**
 * buildRequest: the encoded ToFunction, decoded as a function service would: the target, every registered state
 * (with its value only when one exists and has not expired) and one invocation per message.
 */
import { ToFunction } from '@statehouse/protocol';
import { describe, expect, it } from 'vitest';
import type { FunctionAddress } from '../core/address.js';
import type { FunctionSpecRecord, StoredState } from '../store/store.js';
import type { PendingMessage } from './pending-message.js';
import { buildRequest } from './request-builder.js';
import type { AddressState } from './state-cache.js';

const TARGET: FunctionAddress = { type: 'shop/cart', id: 'Kim' };
const NOW = 1_000_000;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | null | undefined): string | undefined =>
  value == null ? undefined : Buffer.from(value).toString();

function specs(...names: [string, string][]): Map<string, FunctionSpecRecord> {
  return new Map(
    names.map(([stateName, typename]) => [
      stateName,
      { functionType: TARGET.type, stateName, typename, expireMode: 'NONE', expireAfterMs: 0 },
    ]),
  );
}

function stored(name: string, value: string, expiresAt?: number): [string, StoredState] {
  return [name, { name, typename: 'shop/Stored', value: bytes(value), expiresAt }];
}

function message(seq: number, argument: string, caller?: FunctionAddress): PendingMessage {
  return {
    source: { kind: 'message', seq },
    target: TARGET,
    keyGroup: 3,
    caller,
    argument: { typename: 'shop/Add', value: bytes(argument) },
  };
}

function decode(request: Uint8Array) {
  const invocation = ToFunction.decode(request).invocation;
  if (invocation == null) throw new Error('the request has no invocation');
  return {
    target: invocation.target,
    state: invocation.state ?? [],
    invocations: invocation.invocations ?? [],
  };
}

describe('buildRequest', () => {
  it('addresses the target by namespace, type and id', () => {
    const request = decode(buildRequest(TARGET, specs(), new Map(), [message(1, 'a')], NOW));
    expect(request.target).toMatchObject({ namespace: 'shop', type: 'cart', id: 'Kim' });
  });

  it('lists every registered state in spec order, with a value only when it has one', () => {
    const state: AddressState = new Map([stored('items', 'apple'), stored('unregistered', 'x')]);
    const request = decode(
      buildRequest(
        TARGET,
        specs(['total', 'shop/Total'], ['items', 'shop/Items']),
        state,
        [message(1, 'a')],
        NOW,
      ),
    );
    expect(request.state.map((s) => s.stateName)).toEqual(['total', 'items']);
    const [total, items] = request.state;
    expect(total?.stateValue ?? undefined).toBeUndefined();
    // The typename sent is the registered one.
    expect(items?.stateValue).toMatchObject({ typename: 'shop/Items', hasValue: true });
    expect(text(items?.stateValue?.value)).toBe('apple');
  });

  it('sends a value that expires later, and drops one that expired (at or before now) from the state', () => {
    const state: AddressState = new Map([
      stored('live', 'L', NOW + 1),
      stored('dueNow', 'D', NOW),
      stored('past', 'P', NOW - 1),
    ]);
    const request = decode(
      buildRequest(
        TARGET,
        specs(['live', 'test/L'], ['dueNow', 'test/D'], ['past', 'test/P']),
        state,
        [message(1, 'a')],
        NOW,
      ),
    );
    expect(request.state.map((s) => [s.stateName, s.stateValue != null])).toEqual([
      ['live', true],
      ['dueNow', false],
      ['past', false],
    ]);
    expect([...state.keys()]).toEqual(['live']);
  });

  it('sends one invocation per message in batch order, with the caller only when there is one', () => {
    const caller: FunctionAddress = { type: 'shop/checkout', id: 'c-1' };
    const request = decode(
      buildRequest(TARGET, specs(), new Map(), [message(1, 'first'), message(2, 'second', caller)], NOW),
    );
    expect(request.invocations).toHaveLength(2);
    const [first, second] = request.invocations;
    expect(first?.caller ?? undefined).toBeUndefined();
    expect(first?.argument).toMatchObject({ typename: 'shop/Add', hasValue: true });
    expect(text(first?.argument?.value)).toBe('first');
    expect(second?.caller).toMatchObject({ namespace: 'shop', type: 'checkout', id: 'c-1' });
    expect(text(second?.argument?.value)).toBe('second');
  });

  it('keeps an empty id and an empty argument value', () => {
    const empty: PendingMessage = { ...message(1, ''), caller: { type: 'shop/x', id: '' } };
    const request = decode(buildRequest({ type: 'shop/cart', id: '' }, specs(), new Map(), [empty], NOW));
    expect(request.target?.id).toBe('');
    expect(request.invocations[0]?.caller).toMatchObject({ namespace: 'shop', type: 'x', id: '' });
    expect(request.invocations[0]?.argument).toMatchObject({ typename: 'shop/Add', hasValue: true });
    expect(request.invocations[0]?.argument?.value).toHaveLength(0);
  });
});
