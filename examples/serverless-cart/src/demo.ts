/**
 * `npm run serverless-demo`: the shopping cart as an AWS Lambda function between two Kinesis streams, against
 * kinesalite, in one command. It walks through the demo, stops everything it started and exits 0; 1 when a step
 * fails. `--keep` keeps everything running after the walk-through until Ctrl-C. Ctrl-C (or SIGTERM) stops
 * everything; a second one exits at once.
 */
import { runDemoCommand } from '@statehouse/testkit';
import { runServerlessDemo } from './run-demo.js';

await runDemoCommand('serverless-demo', runServerlessDemo);
