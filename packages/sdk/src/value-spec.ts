/** State specs: the type of one persisted value and its expiration. */
import { DefinitionError, describeValue } from './errors.js';
import type { Type } from './types/type.js';

/** When a state value expires. `after-call` is StateFun's AFTER_INVOKE: any call of the address refreshes it. */
export type Expiration =
  { readonly mode: 'none' } | { readonly mode: 'after-write' | 'after-call'; readonly millis: number };

/** Options of {@link valueSpec}. Set at most one. */
export interface ValueSpecOptions {
  /**
   * Delete the value this many milliseconds after it was last written.
   * @default never expires
   */
  readonly expireAfterWrite?: number;
  /**
   * Delete the value this many milliseconds after the last invocation of the address (read or write).
   * @default never expires
   */
  readonly expireAfterCall?: number;
}

/**
 * The declaration of one persisted value: its type and expiration. The name is the key it has in
 * `defineFunction({ state: { ... } })`.
 *
 * @typeParam T - the value's JavaScript type.
 */
export interface ValueSpec<T> {
  /** How the value is encoded; its typename is registered with the runtime. */
  readonly type: Type<T>;
  /** When the value expires. */
  readonly expiration: Expiration;
}

/** The state declarations of a function: state name → spec. */
export type StateSpecs = Readonly<Record<string, ValueSpec<unknown>>>;

/** The value type of a {@link ValueSpec}. */
export type SpecValue<X> = X extends ValueSpec<infer T> ? T : never;

function checkMillis(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new DefinitionError(
      'ERR_SDK_INVALID_EXPIRATION',
      `Invalid ${option} ${describeValue(value)}: expected a positive whole number of milliseconds, e.g. 60_000.`,
    );
  }
  return value;
}

/**
 * Declares a persisted value.
 *
 * @param type - the value's type.
 * @param options - an optional expiration (at most one of `expireAfterWrite` / `expireAfterCall`).
 * @returns the frozen spec.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_EXPIRATION` for a non-positive or fractional duration, or
 * when both options are set.
 * @example
 * ```ts
 * const cart = defineFunction({
 *   type: 'example/cart',
 *   state: { items: valueSpec(ItemsType, { expireAfterCall: 24 * 60 * 60_000 }) },
 *   handle(ctx, message) { ... },
 * });
 * ```
 */
export function valueSpec<T>(type: Type<T>, options: ValueSpecOptions = {}): ValueSpec<T> {
  const afterWrite = checkMillis('expireAfterWrite', options.expireAfterWrite);
  const afterCall = checkMillis('expireAfterCall', options.expireAfterCall);
  if (afterWrite !== undefined && afterCall !== undefined) {
    throw new DefinitionError(
      'ERR_SDK_INVALID_EXPIRATION',
      `Both expireAfterWrite (${afterWrite}) and expireAfterCall (${afterCall}) are set: a state has one ` +
        `expiration mode, so keep only one.`,
    );
  }
  const expiration: Expiration =
    afterWrite !== undefined
      ? { mode: 'after-write', millis: afterWrite }
      : afterCall !== undefined
        ? { mode: 'after-call', millis: afterCall }
        : { mode: 'none' };
  return Object.freeze({ type, expiration: Object.freeze(expiration) });
}
