/** Builds the `ToFunction` request of one batch. */
import { ToFunction, type PersistedValueProps, type ToFunctionInvocationProps } from '@statehouse/protocol';
import { splitFunctionType, type FunctionAddress } from '../core/address.js';
import type { FunctionSpecRecord } from '../store/store.js';
import type { PendingMessage } from './pending-message.js';
import type { AddressState } from './state-cache.js';

function toProtoAddress(a: FunctionAddress): { namespace: string; type: string; id: string } {
  const { namespace, name } = splitFunctionType(a.type);
  return { namespace, type: name, id: a.id };
}

/**
 * Encodes the request for a batch: every registered state of the type, with its value when one exists and
 * has not expired (expired values are dropped from `state` as a side effect), and one invocation per
 * message with the caller only when there is one.
 *
 * @returns the encoded `ToFunction`.
 */
export function buildRequest(
  target: FunctionAddress,
  specs: ReadonlyMap<string, FunctionSpecRecord>,
  state: AddressState,
  batch: readonly PendingMessage[],
  now: number,
): Uint8Array {
  const persisted: PersistedValueProps[] = [];
  for (const spec of specs.values()) {
    const value = state.get(spec.stateName);
    if (value !== undefined && value.expiresAt !== undefined && value.expiresAt <= now) {
      state.delete(spec.stateName);
    }
    const live = state.get(spec.stateName);
    persisted.push(
      live === undefined
        ? { stateName: spec.stateName }
        : {
            stateName: spec.stateName,
            stateValue: { typename: spec.typename, hasValue: true, value: live.value },
          },
    );
  }
  const invocations: ToFunctionInvocationProps[] = batch.map((m) =>
    m.caller === undefined
      ? { argument: { typename: m.argument.typename, hasValue: true, value: m.argument.value } }
      : {
          caller: toProtoAddress(m.caller),
          argument: { typename: m.argument.typename, hasValue: true, value: m.argument.value },
        },
  );
  return ToFunction.encode({
    invocation: { target: toProtoAddress(target), state: persisted, invocations },
  }).finish();
}
