/** Defining stateful functions: a function type, its state specs, and its handler. */
import { address, type Address } from './address.js';
import type { Context } from './context.js';
import { DefinitionError, describeValue } from './errors.js';
import type { Message } from './message.js';
import { parseValidTypeName } from './typename.js';
import type { StateSpecs } from './value-spec.js';

/** What {@link defineFunction} takes. */
export interface FunctionDefinition<S extends StateSpecs> {
  /** The function type, `namespace/name`, e.g. `example/cart`. */
  readonly type: string;
  /**
   * The persisted values of each instance: state name → {@link valueSpec}. Names match
   * `^[A-Za-z_][A-Za-z0-9_]*$` (use `^[_a-z]+$` if official JavaScript SDK functions share the names).
   * @default no state
   */
  readonly state?: S;
  /**
   * Handles one message. Messages of a batch run one after another, never concurrently for one address.
   * Throwing (or rejecting) fails the whole batch: none of its effects are kept, and the runtime retries.
   * @param ctx - address, caller, typed state and effects.
   * @param message - the message.
   */
  handle(ctx: Context<S>, message: Message): void | Promise<void>;
}

/** A defined function, ready to be served by a handler or run by {@link runFunction}. */
export interface StatefulFunction<S extends StateSpecs = StateSpecs> {
  /** The function type, `namespace/name`. */
  readonly type: string;
  /** The function type's namespace. */
  readonly namespace: string;
  /** The function type's name. */
  readonly name: string;
  /** The state specs, by state name. */
  readonly state: S;
  /**
   * The handler, as defined.
   * @param ctx - the context.
   * @param message - the message.
   */
  handle(ctx: Context<S>, message: Message): void | Promise<void>;
  /**
   * @param id - an instance id.
   * @returns the address of that instance of this function.
   */
  address(id: string): Address;
}

const STATE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Defines a stateful function. `ctx.state` is typed from `state`.
 *
 * @param definition - type, state specs and handler.
 * @returns the function, frozen.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_TYPENAME` (function type or a state's type),
 * `ERR_SDK_INVALID_STATE_NAME`, or `ERR_SDK_INVALID_FUNCTION` when `handle` is not a function.
 * @example
 * ```ts
 * const greeter = defineFunction({
 *   type: 'example/greeter',
 *   state: { seen: valueSpec(IntType) },
 *   handle(ctx, message) {
 *     const seen = (ctx.state.seen ?? 0) + 1;
 *     ctx.state.seen = seen;
 *     ctx.egress('example/greetings', StringType, `Hello ${message.asString()} for the ${seen}. time`);
 *   },
 * });
 * ```
 */
export function defineFunction<S extends StateSpecs = Record<never, never>>(
  definition: FunctionDefinition<S>,
): StatefulFunction<S> {
  const { namespace, name } = parseValidTypeName(definition?.type, 'function type');
  const type = definition.type;
  const handler: unknown = (definition as { handle?: unknown }).handle;
  if (typeof handler !== 'function') {
    throw new DefinitionError(
      'ERR_SDK_INVALID_FUNCTION',
      `Function ${type} has no handle(ctx, message) method; got ${describeValue(handler)}.`,
    );
  }
  const state = (definition.state ?? {}) as S;
  for (const [stateName, spec] of Object.entries(state)) {
    if (!STATE_NAME.test(stateName)) {
      throw new DefinitionError(
        'ERR_SDK_INVALID_STATE_NAME',
        `Function ${type} declares state ${describeValue(stateName)}: state names match ` +
          `^[A-Za-z_][A-Za-z0-9_]*$, e.g. "items" or "in_stock".`,
      );
    }
    if (typeof spec?.type?.serialize !== 'function' || spec.expiration === undefined) {
      throw new DefinitionError(
        'ERR_SDK_INVALID_FUNCTION',
        `State "${stateName}" of ${type} is not a value spec: declare it with valueSpec(type, options).`,
      );
    }
    parseValidTypeName(spec.type.typename, `typename of state "${stateName}" of ${type}`);
  }
  const handle = definition.handle.bind(definition);
  return Object.freeze({
    type,
    namespace,
    name,
    state: Object.freeze({ ...state }),
    handle,
    address: (id: string) => address(type, id),
  });
}
