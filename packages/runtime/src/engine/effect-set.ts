/** The durable effects of one invocation or timer firing, as the committer takes them. */
import type { FunctionAddress } from '../core/address.js';
import type {
  ConnectorPosition,
  DeadLetter,
  EgressAppend,
  StateWrite,
  StoredMessage,
  StoredTimer,
  TimerCancellation,
} from '../store/store.js';

/** The durable effects of one invocation (or of a timer firing). */
export interface EffectSet {
  /** The invoked address, when the effects come from an invocation (named when the store refuses them). */
  readonly address?: FunctionAddress;
  readonly consumedMessages: readonly number[];
  readonly firedTimers: readonly number[];
  readonly messages: readonly StoredMessage[];
  /** New delayed messages and cancellations, in reply order. */
  readonly timerOps: readonly TimerOp[];
  readonly stateWrites: readonly StateWrite[];
  readonly egress: readonly EgressAppend[];
  /** The connector positions committed with these effects. */
  readonly positions?: readonly ConnectorPosition[];
  /** Batches moved aside (their messages are in `consumedMessages`): see `dead-lettering.ts`. */
  readonly deadLetters?: readonly Omit<DeadLetter, 'id'>[];
  /** Key groups this effect set consumed from; in cluster mode the commit is fenced by their leases. */
  readonly fenceKeyGroups: readonly number[];
}

/** A new delayed message or the cancellation of one. */
export type TimerOp = { readonly add: StoredTimer } | { readonly cancel: TimerCancellation };
