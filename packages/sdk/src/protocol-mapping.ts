/** Maps between the wire messages (`ToFunction` / `FromFunction`) and the SDK's batch model. */
import {
  ExpireMode,
  MutationType,
  type AddressProps,
  type FromFunctionProps,
  type PersistedValueSpecProps,
  type ToFunction,
  type TypedValueProps,
} from '@statehouse/protocol';
import { addressFromParts, type Address } from './address.js';
import { plainBytes } from './bytes.js';
import { RequestError } from './errors.js';
import { TypedMessage } from './message.js';
import type { Batch, BatchOutcome, MissingState } from './run-batch.js';
import type { EncodedValue } from './types/type.js';

function toAddress(props: AddressProps | null | undefined): Address | undefined {
  if (props === null || props === undefined) return undefined;
  return addressFromParts(props.namespace ?? '', props.type ?? '', props.id ?? '');
}

function toEncoded(value: TypedValueProps | null | undefined): EncodedValue | undefined {
  if (value === null || value === undefined || value.hasValue !== true) return undefined;
  return { typename: value.typename ?? '', bytes: plainBytes(value.value) };
}

/**
 * Reads a decoded `ToFunction` into a batch.
 *
 * @param request - the decoded request.
 * @returns the batch.
 * @throws {@link RequestError} `ERR_SDK_INVALID_REQUEST` when there is no invocation or no target.
 */
export function batchFromRequest(request: ToFunction): Batch {
  const invocation = request.invocation;
  if (invocation === null || invocation === undefined) {
    throw new RequestError(
      'ERR_SDK_INVALID_REQUEST',
      400,
      'The request is a ToFunction without an invocation (field 100): send ToFunction{invocation{target, state, ' +
        'invocations}} as the StateFun runtime does.',
    );
  }
  const target = toAddress(invocation.target);
  if (target === undefined || target.namespace === '' || target.name === '') {
    throw new RequestError(
      'ERR_SDK_INVALID_REQUEST',
      400,
      'The invocation has no target function type (InvocationBatchRequest.target): set target{namespace, type, id}.',
    );
  }
  const state = new Map<string, EncodedValue | undefined>();
  for (const persisted of invocation.state ?? []) {
    state.set(persisted.stateName ?? '', toEncoded(persisted.stateValue));
  }
  const invocations = (invocation.invocations ?? []).map((call) => ({
    caller: toAddress(call.caller),
    message: new TypedMessage(
      call.argument?.typename ?? '',
      call.argument?.value,
      call.argument?.hasValue === true,
    ),
  }));
  return { target, state, invocations };
}

function toTypedValue(value: EncodedValue): TypedValueProps {
  return { typename: value.typename, hasValue: true, value: value.bytes };
}

function toAddressProps(target: Address): AddressProps {
  return { namespace: target.namespace, type: target.name, id: target.id };
}

function toSpec({ name, spec }: MissingState): PersistedValueSpecProps {
  const props: PersistedValueSpecProps = { stateName: name, typeTypename: spec.type.typename };
  // Like the official JavaScript and Java SDKs, omit the expiration spec when there is none (= NONE).
  if (spec.expiration.mode !== 'none') {
    props.expirationSpec = {
      mode: spec.expiration.mode === 'after-write' ? ExpireMode.AFTER_WRITE : ExpireMode.AFTER_INVOKE,
      expireAfterMillis: spec.expiration.millis,
    };
  }
  return props;
}

/**
 * Builds the `FromFunction` answering a batch. Effects keep the protocol's field order and, inside each
 * field, call order (delayed messages and cancellations interleaved as requested).
 *
 * @param outcome - the batch's outcome.
 * @returns what to encode.
 */
export function responseFromOutcome(outcome: BatchOutcome): FromFunctionProps {
  if (outcome.kind === 'incomplete') {
    return { incompleteInvocationContext: { missingValues: outcome.missing.map(toSpec) } };
  }
  const { changes, effects } = outcome;
  return {
    invocationResult: {
      stateMutations: changes.map((change) =>
        change.kind === 'delete'
          ? { mutationType: MutationType.DELETE, stateName: change.name }
          : {
              mutationType: MutationType.MODIFY,
              stateName: change.name,
              stateValue: toTypedValue(change.value),
            },
      ),
      outgoingMessages: effects.messages.map(({ target, value }) => ({
        target: toAddressProps(target),
        argument: toTypedValue(value),
      })),
      delayedInvocations: effects.delayed.map((action) =>
        action.kind === 'cancel'
          ? { isCancellationRequest: true, cancellationToken: action.cancellationToken }
          : {
              delayInMs: action.delayMs,
              target: toAddressProps(action.target),
              argument: toTypedValue(action.value),
              ...(action.cancellationToken === undefined
                ? {}
                : { cancellationToken: action.cancellationToken }),
            },
      ),
      outgoingEgresses: effects.egress.map(({ egress, value }) => ({
        egressNamespace: egress.namespace,
        egressType: egress.name,
        argument: toTypedValue(value),
      })),
    },
  };
}
