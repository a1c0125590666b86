/**
 * `npm run serverless-demo`: the shopping cart as an AWS Lambda function between two Kinesis streams, against
 * kinesalite, in one command. It walks through the demo, stops everything it started and exits 0; 1 when a step
 * fails. `--keep` keeps everything running after the walk-through until Ctrl-C. Ctrl-C (or SIGTERM) stops
 * everything; a second one exits at once.
 */
import { constants } from 'node:os';

import { runServerlessDemo } from './run-demo.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const controller = new AbortController();
let signalExitCode = 0;
for (const signal of SIGNALS) {
  process.on(signal, () => {
    // Children still running are killed by the demo's exit hook.
    if (controller.signal.aborted) process.exit(signalExitCode);
    signalExitCode = 128 + constants.signals[signal];
    controller.abort(new Error(`stopped by ${signal}`));
  });
}

const keep = process.argv.slice(2).includes('--keep');
try {
  // With --keep, Ctrl-C after the walk-through is how the demo ends: it resolves, and the exit code is 0.
  await runServerlessDemo({ keep, signal: controller.signal });
  process.exit(0);
} catch (error) {
  if (controller.signal.aborted) process.exit(signalExitCode);
  console.error(`\nserverless-demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
