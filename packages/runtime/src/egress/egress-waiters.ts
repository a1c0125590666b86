/**
 * Waiting for egress records: long-polling API readers and the HTTP egress shipper's loops wait until records of
 * their egress are committed (or a timeout passes).
 */
import type { Clock } from '../core/clock.js';

/** Collaborators of {@link EgressWaiters}. */
export interface EgressWaitersDeps {
  /** Sets the timeouts of waits. */
  readonly clock: Clock;
}

/** Readers waiting for records, per egress id. */
export class EgressWaiters {
  readonly #clock: Clock;
  readonly #waiting = new Map<string, Set<() => void>>();

  constructor(deps: EgressWaitersDeps) {
    this.#clock = deps.clock;
  }

  /** Resolves when records of `egressId` are committed, or after `timeoutMs`. */
  wait(egressId: string, timeoutMs: number): Promise<void> {
    return this.subscribe(egressId, timeoutMs).done;
  }

  /**
   * Starts waiting now, so that a commit between this call and a read that follows is not missed: `done`
   * resolves when records of `egressId` are committed after this call, or after `timeoutMs`; `cancel` stops
   * waiting (and resolves `done`).
   */
  subscribe(egressId: string, timeoutMs: number): { readonly done: Promise<void>; cancel(): void } {
    let set = this.#waiting.get(egressId);
    if (set === undefined) {
      set = new Set();
      this.#waiting.set(egressId, set);
    }
    const waiters = set;
    let wake = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => wake(), timeoutMs);
      wake = (): void => {
        this.#clock.clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
    });
    return { done, cancel: () => wake() };
  }

  /** Wakes the readers of an egress that just got committed records. */
  notify(egressId: string): void {
    for (const wake of [...(this.#waiting.get(egressId) ?? [])]) wake();
  }

  /** Wakes everyone (shutdown). */
  releaseAll(): void {
    for (const set of this.#waiting.values()) for (const wake of [...set]) wake();
  }
}
