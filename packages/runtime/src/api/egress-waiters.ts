/** Long-poll support for egress reads: readers wait until records of their egress are committed. */
import type { EgressAppend } from '../store/store.js';

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

  /** Wakes the readers of every egress that just got committed records. */
  notify(records: readonly EgressAppend[]): void {
    this.notifyIds(new Set(records.map((r) => r.egressId)));
  }

  /** Wakes the readers of these egresses (records committed by another process). */
  notifyIds(egressIds: Iterable<string>): void {
    for (const id of egressIds) for (const wake of [...(this.#waiting.get(id) ?? [])]) wake();
  }

  /** Wakes everyone (shutdown). */
  releaseAll(): void {
    for (const set of this.#waiting.values()) for (const wake of [...set]) wake();
  }
}
