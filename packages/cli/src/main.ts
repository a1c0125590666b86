/** Entry point of the `statehouse` command. */
import { readFileSync } from 'node:fs';
import { StatehouseError } from '@statehouse/runtime';
import { CliUsageError } from './cli-error.js';
import { clusterCommand } from './commands/cluster.js';
import { runCommand } from './commands/run.js';
import { restoreCommand, snapshotCommand } from './commands/snapshot.js';
import { stateCommand } from './commands/state.js';
import { sendCommand } from './commands/send.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { egressCommand, stalledCommand } from './commands/inspect.js';
import { describeRuntimeError } from './flag-hints.js';
import { MAIN_USAGE } from './usage.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// The AWS SDK (S3 snapshots, Kinesis) warns on Node 20 that its versions published after January 2027 will need
// Node 22: the lockfile pins the SDK, so the warning is about versions Statehouse does not use.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(MAIN_USAGE);
      return command === undefined ? 2 : 0;
    case '-v':
    case '--version':
      console.log(version());
      return 0;
    case 'run':
      return runCommand(rest);
    case 'cluster':
      return clusterCommand(rest);
    case 'snapshot':
      return snapshotCommand(rest);
    case 'restore':
      return restoreCommand(rest);
    case 'state':
      return stateCommand(rest);
    case 'send':
      return sendCommand(rest);
    case 'egress':
      return egressCommand(rest);
    case 'stalled':
      return stalledCommand(rest);
    case 'dead-letters':
      return deadLettersCommand(rest);
    default:
      throw new CliUsageError(
        'ERR_CLI_UNKNOWN_COMMAND',
        `unknown command ${JSON.stringify(command)}\n\n${MAIN_USAGE}`,
      );
  }
}

/**
 * How long the process may stay up after its command finished, ms. A library may keep a timer or a socket open
 * after a clean stop (kafkajs reconnecting to brokers that are down does): the process exits anyway, and the log
 * lines of the stop are written by then.
 */
const EXIT_GRACE_MS = 2_000;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    if (err instanceof CliUsageError || err instanceof StatehouseError) {
      console.error(
        `statehouse: ${err instanceof StatehouseError ? describeRuntimeError(err) : err.message}`,
      );
      process.exitCode = err instanceof CliUsageError ? err.exitCode : 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
