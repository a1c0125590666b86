/**
 * `npm run kafka-demo`: the shopping cart fed from Kafka, against librdkafka's mock broker, in one command. It
 * walks through the demo, stops everything it started and exits 0; 1 when a step fails. `--keep` keeps everything
 * running after the walk-through until Ctrl-C. Ctrl-C (or SIGTERM) stops everything; a second one exits at once.
 */
import { runDemoCommand } from '@statehouse/testkit';
import { runKafkaDemo } from './run-demo.js';

await runDemoCommand('kafka-demo', runKafkaDemo);
