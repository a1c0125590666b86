/**
 * Decides where the backlog is counted: on the event loop while counting is fast (it then sees exactly what is
 * committed when asked, since no commit lands while it runs), on the {@link InboxStatsWorker}'s thread once a
 * count took longer than `countOnThreadAfterMs` (a large backlog), and back on the event loop for good if the
 * thread fails.
 */
import type { Logger } from 'pino';
import type { InboxStats } from '../store.js';
import { InboxStatsWorker } from './inbox-stats-worker.js';

/** What the counter works with. */
export interface InboxCounterDeps {
  /** Counts on the event loop, through the store's own connection. */
  readonly countHere: (keyGroups?: readonly number[]) => Promise<InboxStats[]>;
  /** Whether the store is still open (a thread that fails after close is no reason to warn). */
  readonly isOpen: () => boolean;
  readonly logger: Logger | undefined;
}

/** Where and how the counting thread runs. */
export interface InboxCounterOptions {
  readonly file: string;
  readonly busyTimeoutMs: number;
  /** A count that took longer than this (ms) sends the next ones to the thread. */
  readonly countOnThreadAfterMs: number;
}

/** Counts the backlog per function type of one SQLite store. */
export class InboxCounter {
  readonly #deps: InboxCounterDeps;
  readonly #options: InboxCounterOptions;
  readonly #worker: InboxStatsWorker;
  #workerFailed = false;
  /** How long the last count took, ms (decides where the next one runs). */
  #lastCountMs = 0;

  constructor(deps: InboxCounterDeps, options: InboxCounterOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#worker = new InboxStatsWorker({ file: options.file, busyTimeoutMs: options.busyTimeoutMs });
  }

  /** The backlog per function type, of the given key groups or all. */
  stats(keyGroups?: readonly number[]): Promise<InboxStats[]> {
    const started = performance.now();
    const took = (): void => {
      this.#lastCountMs = performance.now() - started;
    };
    if (this.#workerFailed || this.#lastCountMs < this.#options.countOnThreadAfterMs) {
      const counted = this.#deps.countHere(keyGroups);
      took();
      return counted;
    }
    return this.#worker.stats(keyGroups).then(
      (stats) => {
        took();
        return stats;
      },
      (err: unknown) => {
        // Closed meanwhile: counting here says so with the store's error.
        if (this.#deps.isOpen()) {
          this.#workerFailed = true;
          this.#deps.logger?.warn(
            { err },
            'counting the backlog on its own thread failed; counting on the main thread from now on (requests wait while it counts)',
          );
        }
        return this.#deps.countHere(keyGroups);
      },
    );
  }

  /** Stops the counting thread. */
  close(): Promise<void> {
    return this.#worker.close();
  }
}
