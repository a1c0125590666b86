/**
 * How addresses that keep failing attempt again, so that however many of them fail (or hang), the others keep
 * their slots and their CPU: at most half of the invocation slots attempt at once (the rest wait in arrival
 * order), and a function type whose last 100 attempts all failed retries at most 50 times a second until one
 * succeeds (`type-pacing.ts`).
 */
import type { Clock } from '../core/clock.js';
import { InvocationSlots } from './invocation-slots.js';
import type { Mailbox } from './mailbox.js';
import { TypePacing } from './type-pacing.js';

/** A type whose last 100 attempts all failed retries at most 50 times a second (until one succeeds). */
const FAILING_TYPE_PACING = Object.freeze({ failuresToTrip: 100, attemptsPerSecond: 50 });

/** The slots and pacing of failing addresses' attempts. */
export class FailingAttempts {
  /** Held by a failing address during an attempt, besides its invocation slot. */
  readonly slots: InvocationSlots<Mailbox>;
  readonly #pacing: TypePacing;

  /** @param options.maxInFlightInvocations - the dispatcher's invocation slots; failing attempts take half. */
  constructor(deps: { readonly clock: Clock }, options: { readonly maxInFlightInvocations: number }) {
    this.slots = new InvocationSlots({ limit: Math.max(1, Math.floor(options.maxInFlightInvocations / 2)) });
    this.#pacing = new TypePacing(deps, FAILING_TYPE_PACING);
  }

  /** An attempt of `type` succeeded: its retries are not paced any more. */
  succeeded(type: string): void {
    this.#pacing.succeeded(type);
  }

  /** An attempt of `type` failed. @returns how long its address waits at least before it retries, ms. */
  failed(type: string): number {
    return this.#pacing.failed(type);
  }

  /** Forgets who waits and how types failed (after a reset). */
  clear(): void {
    this.slots.clearWaiting();
    this.#pacing.clear();
  }
}
