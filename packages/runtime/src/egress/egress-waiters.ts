/**
 * Waiting for egress records: long-polling API readers and the HTTP egress shipper's loops wait until records of
 * their egress are committed (or a timeout passes).
 */

/** Readers waiting for records, per egress id. */
export class EgressWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves when records of `egressId` are committed, or after `timeoutMs`. */
  wait(egressId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiting.get(egressId);
      if (set === undefined) {
        set = new Set();
        this.#waiting.set(egressId, set);
      }
      const waiters = set;
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
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
