/**
 * What connector packages share (`@statehouse/kafka`, `@statehouse/kinesis`, through `@statehouse/runtime/internal`):
 * sleeps that end early when the connector stops, a bounded wait for a stop that a hung remote could hold up, the
 * backoff between attempts, and the status a connector reports.
 */
import type { Clock } from '../core/clock.js';
import type { ConnectorPartStatus, ConnectorStatus } from './connector.js';

/**
 * Sleeps that the owner can end at once (several may run at once: a read loop's and batches' backoffs); once
 * stopped, every sleep ends and new ones return at once.
 */
export class WakeableSleeps {
  readonly #clock: Clock;
  readonly #wakes = new Set<() => void>();
  #stopped = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Waits `ms`, or less when woken or stopped. */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#wakes.delete(wake);
        this.#clock.clearTimeout(timer);
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, ms);
      this.#wakes.add(wake);
    });
  }

  /** Ends the sleeps under way (new ones still wait). */
  wakeAll(): void {
    for (const wake of [...this.#wakes]) wake();
  }

  /** Ends the sleeps under way, and every later one at once. */
  stop(): void {
    this.#stopped = true;
    this.wakeAll();
  }
}

/**
 * Waits for `work`, but at most `ms`: a remote that hangs must not hold up a shutdown (what was not finished is not
 * lost: positions and unshipped records are in the store). A rejection of `work` is ignored.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.catch(() => undefined), gaveUp]);
  clearTimeout(timer);
}

/** The wait before attempt `failures + 1`: `first` doubling per failure (from the first), at most `max`, ms. */
export function backoffMs(failures: number, range: { readonly first: number; readonly max: number }): number {
  return Math.min(range.max, range.first * 2 ** Math.min(Math.max(failures - 1, 0), 10));
}

/**
 * A connector's status: `paused` while running with a part paused; the last error only while `retrying`.
 *
 * @param document - the ingress document's id and kind.
 */
export function connectorStatusOf(
  document: { readonly id: string; readonly kind: string },
  state: ConnectorStatus['state'],
  lastError: string | undefined,
  parts: readonly ConnectorPartStatus[],
): ConnectorStatus {
  const shown = state === 'running' && parts.some((p) => p.paused) ? 'paused' : state;
  return {
    id: document.id,
    kind: document.kind,
    state: shown,
    ...(shown === 'retrying' && lastError !== undefined ? { lastError } : {}),
    parts,
  };
}
