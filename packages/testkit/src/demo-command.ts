/**
 * The command around an example's demo (`npm run kafka-demo`, `npm run serverless-demo`): `--keep` keeps everything
 * running after the walk-through until Ctrl-C; Ctrl-C (or SIGTERM) stops everything, a second one exits at once.
 * Exits 0 when the demo ran, 1 when a step failed, 128 + the signal's number when a signal stopped it.
 */
import { constants } from 'node:os';

/** What a demo is given. */
export interface DemoOptions {
  /** Keep everything running after the walk-through, until the signal. */
  readonly keep: boolean;
  /** Aborted by Ctrl-C or SIGTERM: the demo stops everything it started and returns or throws. */
  readonly signal: AbortSignal;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs a demo as the process's command and exits with its outcome.
 *
 * @param name - the npm script, for the failure line, e.g. `kafka-demo`.
 * @param run - the demo; it stops everything it started before it settles.
 */
export async function runDemoCommand(
  name: string,
  run: (options: DemoOptions) => Promise<unknown>,
): Promise<never> {
  const controller = new AbortController();
  let signalExitCode = 0;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      // Children still running are killed by the demo's exit hook (see Started).
      if (controller.signal.aborted) process.exit(signalExitCode);
      signalExitCode = 128 + constants.signals[signal];
      controller.abort(new Error(`stopped by ${signal}`));
    });
  }
  const keep = process.argv.slice(2).includes('--keep');
  try {
    // With --keep, Ctrl-C after the walk-through is how the demo ends: it resolves, and the exit code is 0.
    await run({ keep, signal: controller.signal });
    process.exit(0);
  } catch (error) {
    if (controller.signal.aborted) process.exit(signalExitCode);
    process.stderr.write(`\n${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
