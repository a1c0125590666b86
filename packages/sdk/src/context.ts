/** The context a handler gets: its address, its caller, its typed state, and the effects it can cause. */
import { assertAddress, type Address } from './address.js';
import type { CollectedEffects } from './effects.js';
import { InvalidArgumentError, describeValue } from './errors.js';
import { parseValidTypeName } from './typename.js';
import type { InvocationTrace } from './trace.js';
import type { EncodedValue, Type } from './types/type.js';
import type { SpecValue, StateSpecs } from './value-spec.js';

/**
 * `ctx.state`: one property per declared state, typed from its spec. Reading gives the value or `undefined`
 * when there is none; assigning sets it; assigning `undefined` or `delete ctx.state.x` deletes it. Changes are
 * visible to later messages of the same batch, and only values that really changed are sent back.
 */
export type StateAccess<S extends StateSpecs> = {
  -readonly [K in keyof S]?: SpecValue<S[K]> | undefined;
};

/** Options of {@link Context.sendAfter}. */
export interface SendAfterOptions {
  /**
   * A token to cancel the message with {@link Context.cancelDelayedMessage}; non-empty, unique among this
   * address's pending delayed messages.
   * @default no token (the message cannot be cancelled)
   */
  readonly cancellationToken?: string;
}

/**
 * What a handler can see and do while it handles one message.
 *
 * @typeParam S - the function's state specs.
 */
export interface Context<S extends StateSpecs = StateSpecs> {
  /** The address of the function instance handling the message. */
  readonly self: Address;
  /** The sender's address, or `undefined` when the message came from an ingress or outside. */
  readonly caller: Address | undefined;
  /** The instance's state, typed from the specs. */
  readonly state: StateAccess<S>;
  /**
   * The W3C trace context of this invocation, when the runtime traces it (Statehouse with tracing on sends a
   * `traceparent` header); `undefined` otherwise. Continue the trace from it, e.g. with `@opentelemetry/api`.
   * @experimental
   */
  readonly trace: InvocationTrace | undefined;
  /**
   * Sends a message to a function instance.
   * @param target - the receiver's address.
   * @param type - the value's type.
   * @param value - the value; must be a `T`.
   * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_ADDRESS`; {@link SerializationError} when the
   * value cannot be serialized.
   */
  send<T>(target: Address, type: Type<T>, value: NoInfer<T>): void;
  /**
   * Sends an already encoded value, e.g. a received message to forward.
   * @param target - the receiver's address.
   * @param value - the encoded value.
   */
  send(target: Address, value: EncodedValue): void;
  /**
   * Sends a message after a delay. The runtime keeps it durably and delivers it no earlier than asked.
   * @param delayMs - milliseconds, ≥ 0; fractions round up.
   * @param target - the receiver's address.
   * @param type - the value's type.
   * @param value - the value.
   * @param options - an optional cancellation token.
   * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_DELAY`, `ERR_SDK_INVALID_CANCELLATION_TOKEN`,
   * `ERR_SDK_INVALID_ADDRESS`.
   */
  sendAfter<T>(
    delayMs: number,
    target: Address,
    type: Type<T>,
    value: NoInfer<T>,
    options?: SendAfterOptions,
  ): void;
  /**
   * Sends an already encoded value after a delay.
   * @param delayMs - milliseconds, ≥ 0; fractions round up.
   * @param target - the receiver's address.
   * @param value - the encoded value.
   * @param options - an optional cancellation token.
   */
  sendAfter(delayMs: number, target: Address, value: EncodedValue, options?: SendAfterOptions): void;
  /**
   * Cancels a delayed message this address sent with `cancellationToken`. Best effort: a no-op when it was
   * already delivered or never sent.
   * @param cancellationToken - the token given to {@link Context.sendAfter}.
   * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_CANCELLATION_TOKEN` for an empty token.
   */
  cancelDelayedMessage(cancellationToken: string): void;
  /**
   * Emits a record to an egress.
   * @param egressId - the egress id from module.yaml, `namespace/name`.
   * @param type - the record's type.
   * @param value - the record.
   * @throws {@link InvalidArgumentError} `ERR_SDK_INVALID_TYPENAME` for a malformed egress id.
   */
  egress<T>(egressId: string, type: Type<T>, value: NoInfer<T>): void;
  /**
   * Emits an already encoded record, e.g. from {@link kafkaEgressRecord} or {@link kinesisEgressRecord}.
   * @param egressId - the egress id from module.yaml, `namespace/name`.
   * @param value - the encoded record.
   */
  egress(egressId: string, value: EncodedValue): void;
}

function isType(candidate: unknown): candidate is Type<unknown> {
  return typeof (candidate as Partial<Type<unknown>> | undefined)?.serialize === 'function';
}

function encode(method: string, typeOrValue: unknown, value: unknown): EncodedValue {
  if (isType(typeOrValue)) return { typename: typeOrValue.typename, bytes: typeOrValue.serialize(value) };
  const encoded = typeOrValue as Partial<EncodedValue> | undefined;
  if (typeof encoded?.typename === 'string' && encoded.bytes instanceof Uint8Array) {
    return { typename: encoded.typename, bytes: encoded.bytes };
  }
  throw new InvalidArgumentError(
    'ERR_SDK_INVALID_VALUE',
    `${method} needs a Type and a value, or an encoded value { typename, bytes }; got ${describeValue(typeOrValue)}.`,
  );
}

function checkToken(token: unknown, method: string): string {
  if (typeof token !== 'string' || token === '') {
    throw new InvalidArgumentError(
      'ERR_SDK_INVALID_CANCELLATION_TOKEN',
      `${method} got cancellation token ${describeValue(token)}: a token is a non-empty string, e.g. ` +
        `\`reminder-\${ctx.self.id}\`.`,
    );
  }
  return token;
}

function checkDelay(delayMs: unknown): number {
  if (
    typeof delayMs !== 'number' ||
    !Number.isFinite(delayMs) ||
    delayMs < 0 ||
    delayMs > Number.MAX_SAFE_INTEGER
  ) {
    throw new InvalidArgumentError(
      'ERR_SDK_INVALID_DELAY',
      `sendAfter got delay ${describeValue(delayMs)}: the delay is a finite number of milliseconds ≥ 0, ` +
        `e.g. 60_000 for one minute.`,
    );
  }
  return Math.ceil(delayMs);
}

/**
 * The SDK's {@link Context} for one invocation; all invocations of a batch share state and effects. Handlers
 * see it only as a `Context`, whose overloads type each call; the methods here take the union of their forms.
 */
export class InvocationContext<S extends StateSpecs> implements Context<S> {
  constructor(
    readonly self: Address,
    readonly caller: Address | undefined,
    readonly state: StateAccess<S>,
    private readonly effects: CollectedEffects,
    readonly trace: InvocationTrace | undefined = undefined,
  ) {}

  send(target: Address, typeOrValue: Type<unknown> | EncodedValue, value?: unknown): void {
    assertAddress(target, 'send');
    this.effects.messages.push({ target, value: encode('send', typeOrValue, value) });
  }

  sendAfter(
    delayMs: number,
    target: Address,
    typeOrValue: Type<unknown> | EncodedValue,
    valueOrOptions?: unknown,
    maybeOptions?: SendAfterOptions,
  ): void {
    const delay = checkDelay(delayMs);
    assertAddress(target, 'sendAfter');
    const hasType = isType(typeOrValue);
    const options = (hasType ? maybeOptions : (valueOrOptions as SendAfterOptions | undefined)) ?? {};
    const token =
      options.cancellationToken === undefined
        ? undefined
        : checkToken(options.cancellationToken, 'sendAfter');
    const value = encode('sendAfter', typeOrValue, valueOrOptions);
    this.effects.delayed.push({ kind: 'send', delayMs: delay, target, value, cancellationToken: token });
  }

  cancelDelayedMessage(cancellationToken: string): void {
    const token = checkToken(cancellationToken, 'cancelDelayedMessage');
    this.effects.delayed.push({ kind: 'cancel', cancellationToken: token });
  }

  egress(egressId: string, typeOrValue: Type<unknown> | EncodedValue, value?: unknown): void {
    const egress = parseValidTypeName(egressId, 'egress id', 'argument');
    this.effects.egress.push({ egress, value: encode('egress', typeOrValue, value) });
  }
}
