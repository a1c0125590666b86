import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  createRuntime,
  loadModuleFiles,
  type ConnectorPlugin,
  type ModuleConfig,
  type Runtime,
  type RuntimeOptions,
} from '@statehouse/runtime';
import { CliUsageError } from '../cli-error.js';
import { createLogger } from '../logger.js';
import { parseFlags, resolveFlagValues } from '../parse-flags.js';
import { CLUSTER_ONLY_FLAGS, LOG_LEVELS, RUN_PARSE_OPTIONS, runtimeOptionsFromFlags } from '../run-flags.js';
import { RUN_USAGE } from '../usage.js';
import { apiAccessFrom } from '../api-access.js';
import { applyHeapGrowth, parseHeapGrowthPercent } from '../heap-growth.js';
import { signingKeyFrom } from '../signing-key.js';

/**
 * `statehouse run <module.yaml>`: starts a runtime and runs until SIGTERM/SIGINT.
 *
 * @param argv - the arguments after `run`.
 * @returns the process exit code.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, RUN_PARSE_OPTIONS, RUN_USAGE, true);
  if (values.help === true) {
    console.log(RUN_USAGE);
    return 0;
  }
  const level = checkRunFlags(values, positionals);
  // Before the module files are read, so that a wrong flag is reported first; main.ts names the flag.
  resolveFlagValues(values);
  const flagOptions = runtimeOptionsFromFlags(values);
  const heapGrowth = parseHeapGrowthPercent(values['heap-growth-percent'] as string | undefined);
  const access = await apiAccessFrom(values);
  const signing = await signingKeyFrom(values);
  const module = loadModuleFiles(await readModuleFiles(positionals));
  const logger = createLogger(level);
  logger.debug(applyHeapGrowth(heapGrowth), 'V8 heap growth set');
  return runUntilStopped({
    module,
    logger,
    connectors: await connectorsFor(module),
    ...flagOptions,
    ...access,
    ...signing,
  });
}

/**
 * The connector plugins the module needs, loaded only then: a module without Kafka documents loads neither kafkajs
 * nor its compression codecs, one without Kinesis documents not the AWS SDK.
 */
async function connectorsFor(module: ModuleConfig): Promise<ConnectorPlugin[]> {
  const kinds = [...module.ingresses, ...module.egresses].map((c) => c.kind);
  const plugins: ConnectorPlugin[] = [];
  if (kinds.some((kind) => kind.startsWith('io.statefun.kafka.'))) {
    const { kafkaConnectors } = await import('@statehouse/kafka');
    plugins.push(kafkaConnectors());
  }
  if (kinds.some((kind) => kind.startsWith('io.statefun.kinesis.'))) {
    const { kinesisConnectors } = await import('@statehouse/kinesis');
    plugins.push(kinesisConnectors());
  }
  return plugins;
}

/**
 * Checks what the runtime does not: a module file is named, the log level, cluster-only flags.
 *
 * @returns the log level.
 * @throws {@link CliUsageError} naming the flag.
 */
function checkRunFlags(values: Readonly<Record<string, unknown>>, positionals: readonly string[]): string {
  if (positionals.length === 0) {
    throw new CliUsageError(
      'ERR_CLI_MISSING_MODULE',
      `statehouse run needs a module file, e.g. statehouse run module.yaml\n\n${RUN_USAGE}`,
    );
  }
  const level = typeof values['log-level'] === 'string' ? values['log-level'] : 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
    );
  }
  if (values['store'] === undefined && CLUSTER_ONLY_FLAGS.some((name) => values[name] !== undefined)) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      '--node-id, --advertise and --lease-timeout-ms need cluster mode: add --store postgres://...',
    );
  }
  return level;
}

/** Reads the module files. @throws {@link CliUsageError} `ERR_CLI_MODULE_NOT_READABLE` naming the file. */
function readModuleFiles(paths: readonly string[]): Promise<{ path: string; text: string }[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { path, text: await readFile(path, 'utf8') };
      } catch (err) {
        throw new CliUsageError(
          'ERR_CLI_MODULE_NOT_READABLE',
          `cannot read module file ${path}: ${(err as Error).message}`,
        );
      }
    }),
  );
}

/**
 * Starts a runtime and waits until a signal stopped it or it failed.
 *
 * @returns the process exit code: 0 after a clean stop, 1 after a fatal error or a failed stop.
 */
async function runUntilStopped(options: RuntimeOptions & { readonly logger: Logger }): Promise<number> {
  const { logger } = options;
  let exitCode = 0;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  // eslint-disable-next-line prefer-const -- `stop` reads it before it is assigned (a signal during startup); a const would be in its TDZ
  let runtime: Runtime | undefined;
  let stopRequested: string | undefined;
  const stop = (signal: string): void => {
    if (stopRequested !== undefined) {
      logger.warn({ signal }, 'second signal: exiting without a clean stop');
      process.exit(1);
    }
    stopRequested = signal;
    logger.info({ signal }, 'stopping');
    // During startup the stop happens once the runtime has started (see below).
    if (runtime === undefined) return;
    runtime.close().then(resolveStopped, (err: unknown) => {
      logger.error({ err }, 'stop failed');
      exitCode = 1;
      resolveStopped();
    });
  };
  // Installed before recovery, so that a SIGTERM during a long recovery still stops cleanly, and a SIGHUP (whose
  // default action ends the process) is only ever a reload.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => reloadOnHangup(runtime, options.tls !== undefined, logger));
  exitLoudlyOnDefects(logger);
  runtime = await createRuntime({
    ...options,
    onFatal: () => {
      exitCode = 1;
      resolveStopped();
    },
  });
  if (stopRequested !== undefined) {
    const signal = stopRequested;
    stopRequested = undefined;
    stop(signal);
  }
  await stopped;
  return exitCode;
}

/**
 * SIGHUP: new certificate files (renewed by certbot, cert-manager, …) are read; open connections stay. Before the
 * runtime serves, and without TLS, there is nothing to reload.
 */
function reloadOnHangup(runtime: Runtime | undefined, isTls: boolean, logger: Logger): void {
  if (!isTls) {
    logger.info({ signal: 'SIGHUP' }, 'SIGHUP ignored: the API serves no TLS certificate to reload');
    return;
  }
  if (runtime === undefined) {
    logger.info(
      { signal: 'SIGHUP' },
      'SIGHUP ignored: the runtime is still starting (it reads the files as it starts)',
    );
    return;
  }
  try {
    runtime.reloadTls();
    logger.info({ event: 'api.tls.reloaded' }, 'TLS certificate reloaded');
  } catch (err) {
    logger.error({ err }, 'TLS certificate not reloaded; the previous one stays in use');
  }
}

/**
 * An exception or a promise rejection that nothing handled is a defect (ours or a dependency's): the process
 * exits as Node would (code 1; carrying on would run in an unknown state), but first says so in the log, where
 * operators look, rather than only on stderr. Only the CLI does this: it owns the process; a library must not.
 */
function exitLoudlyOnDefects(logger: Logger): void {
  const exit = (kind: string) => (err: unknown) => {
    logger.fatal(
      { err },
      `${kind}: a defect, please report it with this line; exiting (a restart recovers every committed message and state from the store)`,
    );
    process.exit(1);
  };
  process.on('unhandledRejection', exit('unhandled promise rejection'));
  process.on('uncaughtException', exit('uncaught exception'));
}
