/**
 * Runs one batch for one address: checks that every declared state arrived, then runs the invocations in
 * order against shared state, and returns the state changes and effects. Transport-independent.
 */
import type { Address } from './address.js';
import { InvocationContext } from './context.js';
import type { StatefulFunction } from './define-function.js';
import { createEffects, type CollectedEffects } from './effects.js';
import { FunctionError, StatefunSdkError, describeError } from './errors.js';
import type { Message } from './message.js';
import { StateStore, type StateChange } from './state-store.js';
import type { InvocationTrace } from './trace.js';
import type { EncodedValue } from './types/type.js';
import type { ValueSpec } from './value-spec.js';

/** One message of a batch. */
export interface BatchInvocation {
  readonly caller: Address | undefined;
  readonly message: Message;
}

/** One batch: the address, the states the runtime sent (value or none), and the messages. */
export interface Batch {
  readonly target: Address;
  /** Every state name the runtime sent; the value is `undefined` when the state has none. */
  readonly state: ReadonlyMap<string, EncodedValue | undefined>;
  readonly invocations: readonly BatchInvocation[];
  /** The request's trace context, when the runtime sent one. */
  readonly trace?: InvocationTrace | undefined;
}

/** A declared state the runtime did not send. */
export interface MissingState {
  readonly name: string;
  readonly spec: ValueSpec<unknown>;
}

/** What a batch came to. */
export type BatchOutcome =
  | { readonly kind: 'incomplete'; readonly missing: readonly MissingState[] }
  | {
      readonly kind: 'complete';
      readonly changes: readonly StateChange[];
      readonly effects: CollectedEffects;
    };

/**
 * Runs a batch.
 *
 * @param fn - the function the batch is for.
 * @param batch - the decoded request.
 * @returns `incomplete` with every missing spec (user code did not run), or the batch's changes and effects.
 * @throws an SDK error thrown by user code as is, any other failure as {@link FunctionError} with the
 * original as `cause`; the batch's effects are then dropped.
 */
export async function runBatch(fn: StatefulFunction, batch: Batch): Promise<BatchOutcome> {
  const missing: MissingState[] = [];
  const received = new Map<string, EncodedValue>();
  for (const [name, spec] of Object.entries(fn.state)) {
    if (!batch.state.has(name)) missing.push({ name, spec });
    const value = batch.state.get(name);
    if (value !== undefined) received.set(name, value);
  }
  if (missing.length > 0) return { kind: 'incomplete', missing };

  const store = new StateStore(fn.state, received);
  const effects = createEffects();
  let index = 0;
  try {
    for (const { caller, message } of batch.invocations) {
      await fn.handle(new InvocationContext(batch.target, caller, store.view, effects, batch.trace), message);
      index++;
    }
    return { kind: 'complete', changes: store.changes(), effects };
  } catch (error) {
    if (error instanceof StatefunSdkError) throw error;
    const where =
      index < batch.invocations.length ? ` on message ${index + 1} of ${batch.invocations.length}` : '';
    throw new FunctionError(
      `Function ${batch.target.type} (id ${JSON.stringify(batch.target.id)}) failed${where}: ` +
        `${describeError(error)}. Its effects were dropped; the runtime retries the batch.`,
      { cause: error },
    );
  }
}
