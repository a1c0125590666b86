/**
 * The test harness: runs a function on messages with given state and returns its effects, typed, without
 * HTTP or a runtime. It goes through the same wire encoding and request path as the handlers.
 */
import {
  FromFunction,
  MutationType,
  ToFunction,
  type AddressProps,
  type FromFunctionProps,
  type InvocationResponseProps,
} from '@statehouse/protocol';
import { addressFromParts, type Address } from './address.js';
import type { StatefulFunction } from './define-function.js';
import { InvalidArgumentError, describeValue } from './errors.js';
import { createRegistry } from './function-registry.js';
import { TypedMessage, type Message } from './message.js';
import { invokeRequest } from './request-handler.js';
import type { EncodedValue, Type } from './types/type.js';
import type { SpecValue, StateSpecs } from './value-spec.js';

/** A message to run a function on: a value with its type, or an encoded value. */
export type TestMessage<T> =
  | { readonly type: Type<T>; readonly value: NoInfer<T>; readonly caller?: Address }
  | (EncodedValue & { readonly type?: undefined; readonly caller?: Address });

/** State values by name, typed from the specs; an absent key means the state has no value. */
export type StateValues<S extends StateSpecs> = { readonly [K in keyof S]?: SpecValue<S[K]> };

/** A state mutation the function returned. */
export type StateMutation<S extends StateSpecs> = {
  [K in keyof S & string]:
    | { readonly name: K; readonly kind: 'modify'; readonly value: SpecValue<S[K]> }
    | { readonly name: K; readonly kind: 'delete' };
}[keyof S & string];

/** A message the function sent. */
export interface SentMessage {
  /** The receiver. */
  readonly target: Address;
  /** The message; read it with `message.as(type)`. */
  readonly message: Message;
}

/** A delayed message the function sent. */
export interface DelayedSend extends SentMessage {
  /** The delay in milliseconds. */
  readonly delayMs: number;
  /** The cancellation token, if one was given. */
  readonly cancellationToken: string | undefined;
}

/** A record the function emitted to an egress. */
export interface EgressEmission {
  /** The egress id, `namespace/name`. */
  readonly egressId: string;
  /** The record; read it with `message.as(type)`. */
  readonly message: Message;
}

/** Options of {@link runFunction}. */
export interface RunFunctionOptions<S extends StateSpecs, M extends readonly unknown[]> {
  /**
   * The id of the instance to run.
   * @default 'test'
   */
  readonly id?: string;
  /**
   * The state before the batch.
   * @default no values
   */
  readonly state?: StateValues<S>;
  /** The batch's messages, handled in order. */
  readonly messages: { readonly [K in keyof M]: TestMessage<M[K]> };
}

/** What a batch did. */
export interface RunResult<S extends StateSpecs> {
  /** The state after the batch (the given state with the mutations applied). */
  readonly state: StateValues<S>;
  /** The mutations, in declaration order; only states that changed appear. */
  readonly mutations: readonly StateMutation<S>[];
  /** Messages sent, in call order. */
  readonly sent: readonly SentMessage[];
  /** Delayed messages sent, in call order. */
  readonly delayed: readonly DelayedSend[];
  /** Tokens of delayed messages cancelled, in call order. */
  readonly cancellations: readonly string[];
  /** Egress records, in call order. */
  readonly egress: readonly EgressEmission[];
}

function toAddress(props: AddressProps | null | undefined): Address {
  return addressFromParts(props?.namespace ?? '', props?.type ?? '', props?.id ?? '');
}

function toMessage(
  value: { typename?: string | null; value?: Uint8Array | null } | null | undefined,
): Message {
  return new TypedMessage(value?.typename ?? '', value?.value);
}

function encodeMessage(message: TestMessage<unknown>, index: number): EncodedValue {
  if (message.type !== undefined)
    return { typename: message.type.typename, bytes: message.type.serialize(message.value) };
  if (typeof message.typename === 'string' && message.bytes instanceof Uint8Array) return message;
  throw new InvalidArgumentError(
    'ERR_SDK_INVALID_VALUE',
    `runFunction: messages[${index}] is ${describeValue(message)}; pass { type, value } or { typename, bytes }.`,
  );
}

/** Encodes the batch request the runtime would send: the instance, its state before, and the messages. */
function encodeRequest<S extends StateSpecs>(
  fn: StatefulFunction<S>,
  id: string,
  initial: Readonly<Record<string, unknown>>,
  messages: readonly TestMessage<unknown>[],
): Uint8Array {
  return ToFunction.encode({
    invocation: {
      target: { namespace: fn.namespace, type: fn.name, id },
      state: Object.entries(fn.state).map(([name, spec]) => {
        const value = initial[name];
        if (value === undefined) return { stateName: name };
        return {
          stateName: name,
          stateValue: { typename: spec.type.typename, hasValue: true, value: spec.type.serialize(value) },
        };
      }),
      invocations: messages.map((message, index) => {
        const { typename, bytes } = encodeMessage(message, index);
        const caller = message.caller;
        return {
          ...(caller === undefined
            ? {}
            : { caller: { namespace: caller.namespace, type: caller.name, id: caller.id } }),
          argument: { typename, hasValue: true, value: bytes },
        };
      }),
    },
  }).finish();
}

/** Applies the reply's mutations to a copy of the state before; returns the state after and the mutations. */
function applyMutations<S extends StateSpecs>(
  fn: StatefulFunction<S>,
  initial: Readonly<Record<string, unknown>>,
  response: InvocationResponseProps,
): { state: StateValues<S>; mutations: StateMutation<S>[] } {
  const state: Record<string, unknown> = { ...initial };
  const mutations = (response.stateMutations ?? []).map((mutation) => {
    const name = mutation.stateName ?? '';
    if (mutation.mutationType === MutationType.MODIFY) {
      const value = fn.state[name]?.type.deserialize(mutation.stateValue?.value ?? new Uint8Array(0));
      state[name] = value;
      return { name, kind: 'modify' as const, value };
    }
    delete state[name];
    return { name, kind: 'delete' as const };
  });
  return { state: state as StateValues<S>, mutations: mutations as StateMutation<S>[] };
}

/** Splits the reply's delayed invocations into delayed sends and cancellations, each in call order. */
function splitDelayed(response: InvocationResponseProps): {
  delayed: DelayedSend[];
  cancellations: string[];
} {
  const delayed: DelayedSend[] = [];
  const cancellations: string[] = [];
  for (const invocation of response.delayedInvocations ?? []) {
    if (invocation.isCancellationRequest === true) {
      cancellations.push(invocation.cancellationToken ?? '');
    } else {
      const token = invocation.cancellationToken ?? '';
      delayed.push({
        delayMs: Number(invocation.delayInMs ?? 0),
        target: toAddress(invocation.target),
        message: toMessage(invocation.argument),
        cancellationToken: token === '' ? undefined : token,
      });
    }
  }
  return { delayed, cancellations };
}

/**
 * Runs a function on a batch of messages and returns what it did.
 *
 * @param fn - a function made with {@link defineFunction}.
 * @param options - instance id, state before, and messages.
 * @returns the state after and every effect, typed.
 * @throws whatever the function throws (as a {@link FunctionError} with the original as `cause`, or the SDK
 * error itself), and {@link SerializationError} when a given value cannot be serialized.
 * @example
 * ```ts
 * const result = await runFunction(cart, {
 *   id: 'Kim',
 *   messages: [{ type: AddToCartType, value: { userId: 'Kim', itemId: 'socks', quantity: 2 } }],
 * });
 * expect(result.sent[0]?.message.as(RequestItemType)).toEqual({ itemId: 'socks', quantity: 2 });
 * ```
 */
export async function runFunction<S extends StateSpecs, const M extends readonly unknown[]>(
  fn: StatefulFunction<S>,
  options: RunFunctionOptions<S, M>,
): Promise<RunResult<S>> {
  const initial: Record<string, unknown> = { ...options.state };
  const messages = options.messages as readonly TestMessage<unknown>[];
  const request = encodeRequest(fn, options.id ?? 'test', initial, messages);

  const props: FromFunctionProps = await invokeRequest(createRegistry([fn]), ToFunction.decode(request));
  const response = FromFunction.decode(FromFunction.encode(props).finish()).invocationResult;
  if (response === null || response === undefined) {
    throw new Error('runFunction: the function answered without an invocation result; this is an SDK bug.');
  }

  return {
    ...applyMutations(fn, initial, response),
    sent: (response.outgoingMessages ?? []).map((sent) => ({
      target: toAddress(sent.target),
      message: toMessage(sent.argument),
    })),
    ...splitDelayed(response),
    egress: (response.outgoingEgresses ?? []).map((egress) => ({
      egressId: `${egress.egressNamespace ?? ''}/${egress.egressType ?? ''}`,
      message: toMessage(egress.argument),
    })),
  };
}
