/**
 * The closed-loop load generator: `concurrency` workers, each starting its next operation as soon as the
 * previous one finished, through a warm-up and then a measurement window.
 */
import { LatencyHistogram } from './histogram.js';

/** Milliseconds on the bench process's monotonic clock (also what messages carry as `sentAt`). */
export function now(): number {
  return performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one operation reports: `ok` counts towards throughput and latency, `rejected` is retried later. */
export type OperationOutcome = 'ok' | 'rejected';

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  /** Operations in flight at any time. */
  readonly concurrency: number;
  /** Time before the measurement window, not counted. */
  readonly warmupMs: number;
  /** The measurement window. */
  readonly durationMs: number;
  /**
   * Does one operation.
   * @param worker - the worker's index in [0, concurrency).
   * @param isMeasured - whether the operation starts inside the measurement window.
   * @returns whether it was accepted.
   */
  readonly operation: (worker: number, isMeasured: boolean) => Promise<OperationOutcome>;
  /** Pause of a worker after a rejected operation. @default 5 */
  readonly rejectBackoffMs?: number;
  /** Called when the measurement window opens (e.g. to read CPU counters). */
  readonly onWindowStart?: () => void;
  /** Called when the measurement window closes. */
  readonly onWindowEnd?: () => void;
}

/** What {@link runClosedLoop} measured. */
export interface ClosedLoopResult {
  /** Start and end of the measurement window on the {@link now} clock. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Accepted operations that completed inside the window. */
  readonly completed: number;
  /** Rejected operations (e.g. 503) inside the window. */
  readonly rejected: number;
  /** Operations that threw inside the window. */
  readonly errors: number;
  /** First error seen, for the report. */
  readonly firstError: string | undefined;
  /** Latency of accepted operations that started inside the window. */
  readonly latency: LatencyHistogram;
  /** Accepted operations per second inside the window. */
  readonly perSecond: number;
}

/**
 * Runs a closed loop: warm-up, then the measurement window; returns once every worker has finished its last
 * operation.
 *
 * @param options - concurrency, durations and the operation.
 * @returns throughput and latency inside the window.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latency = new LatencyHistogram();
  const start = now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const backoff = options.rejectBackoffMs ?? 5;
  let completed = 0;
  let rejected = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async (index: number): Promise<void> => {
    while (now() < windowEnd) {
      const began = now();
      const isMeasured = began >= windowStart && began < windowEnd;
      let outcome: OperationOutcome | 'error';
      try {
        outcome = await options.operation(index, isMeasured);
      } catch (err) {
        outcome = 'error';
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      const ended = now();
      const inWindow = ended >= windowStart && ended < windowEnd;
      if (outcome === 'ok') {
        if (inWindow) completed += 1;
        if (isMeasured) latency.record(ended - began);
      } else {
        if (inWindow) {
          if (outcome === 'rejected') rejected += 1;
          else errors += 1;
        }
        await sleep(outcome === 'rejected' ? backoff : 50);
      }
    }
  };
  let hasStarted = false;
  let hasEnded = false;
  const open = (): void => {
    if (!hasStarted) options.onWindowStart?.();
    hasStarted = true;
  };
  const close = (): void => {
    open();
    if (!hasEnded) options.onWindowEnd?.();
    hasEnded = true;
  };
  const timers = [
    setTimeout(open, options.warmupMs),
    setTimeout(close, options.warmupMs + options.durationMs),
  ];
  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  } finally {
    // Workers can all stop a moment before the end timer fires: close the window here in that case.
    for (const t of timers) clearTimeout(t);
    close();
  }
  return {
    windowStart,
    windowEnd,
    completed,
    rejected,
    errors,
    firstError,
    latency,
    perSecond: completed / (options.durationMs / 1000),
  };
}
