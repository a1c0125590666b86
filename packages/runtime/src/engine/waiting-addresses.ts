/**
 * Addresses in memory that wait, per function type: *parked* ones wait for memory to page their messages in;
 * *retrying* ones wait for their backoff after a failed attempt (they hold no messages). When an address of a
 * failing type succeeds, its type works again: the others of that type are woken early, a few more for every
 * success, instead of each waiting out its backoff.
 */
import type { Clock } from '../core/clock.js';
import type { Mailbox } from './mailbox.js';

/** Collaborators of the waiting addresses. */
export interface WaitingAddressesDeps {
  readonly clock: Clock;
  /** A retrying address's wait is over: schedule it (if it is still the address's mailbox). */
  readonly onRetry: (mb: Mailbox) => void;
}

/** Parked and retrying addresses. */
export class WaitingAddresses {
  readonly #deps: WaitingAddressesDeps;
  readonly #parked = new Map<string, Set<Mailbox>>();
  readonly #retrying = new Map<string, Set<Mailbox>>();

  constructor(deps: WaitingAddressesDeps) {
    this.#deps = deps;
  }

  /** Whether any address is parked. */
  get anyParked(): boolean {
    return this.#parked.size > 0;
  }

  /** Parks `mb` until memory has room for its type. */
  park(mb: Mailbox): void {
    setOf(this.#parked, mb.address.type).add(mb);
  }

  /** Whether `mb` is parked. */
  isParked(mb: Mailbox): boolean {
    return this.#parked.get(mb.address.type)?.has(mb) === true;
  }

  /** Stops `mb` from being parked. */
  unpark(mb: Mailbox): void {
    deleteFrom(this.#parked, mb);
  }

  /**
   * Unparks the parked addresses whose type has room, in arrival order per type, calling `schedule` for each
   * (which may park it again when it finds no room).
   */
  unparkWhere(hasRoom: (type: string) => boolean, schedule: (mb: Mailbox) => void): void {
    for (const [type, parked] of this.#parked) {
      for (const mb of parked) {
        if (!hasRoom(type)) break;
        parked.delete(mb);
        schedule(mb);
      }
      if (parked.size === 0) this.#parked.delete(type);
    }
  }

  /** Whether `mb` waits to attempt again. */
  isRetrying(mb: Mailbox): boolean {
    return mb.retryTimer !== undefined;
  }

  /** Lets `mb` attempt again after `delayMs`. */
  retryLater(mb: Mailbox, delayMs: number): void {
    if (mb.retryTimer !== undefined) return;
    setOf(this.#retrying, mb.address.type).add(mb);
    mb.retryTimer = this.#deps.clock.setTimeout(() => {
      this.stopRetrying(mb);
      this.#deps.onRetry(mb);
    }, delayMs);
  }

  /** Ends `mb`'s wait without attempting (forgotten), or before attempting early. */
  stopRetrying(mb: Mailbox): void {
    if (mb.retryTimer === undefined) return;
    this.#deps.clock.clearTimeout(mb.retryTimer);
    mb.retryTimer = undefined;
    deleteFrom(this.#retrying, mb);
  }

  /** Lets up to `count` retrying addresses of `type` attempt now (their type works again). */
  wake(type: string, count: number): void {
    const retrying = this.#retrying.get(type);
    if (retrying === undefined) return;
    let woken = 0;
    for (const mb of retrying) {
      if (woken >= count) return;
      this.stopRetrying(mb);
      this.#deps.onRetry(mb);
      woken += 1;
    }
  }

  /** Forgets every waiting address and cancels their timers (after a reset). */
  clear(): void {
    for (const set of this.#retrying.values()) {
      for (const mb of set) {
        if (mb.retryTimer !== undefined) this.#deps.clock.clearTimeout(mb.retryTimer);
        mb.retryTimer = undefined;
      }
    }
    this.#retrying.clear();
    this.#parked.clear();
  }
}

function setOf(map: Map<string, Set<Mailbox>>, type: string): Set<Mailbox> {
  let set = map.get(type);
  if (set === undefined) map.set(type, (set = new Set()));
  return set;
}

function deleteFrom(map: Map<string, Set<Mailbox>>, mb: Mailbox): void {
  const set = map.get(mb.address.type);
  if (set === undefined) return;
  set.delete(mb);
  if (set.size === 0) map.delete(mb.address.type);
}
