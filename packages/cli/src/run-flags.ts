/**
 * The flags of `statehouse run`, in one table: what `parseArgs` accepts, the runtime option each one sets, and
 * the options part of the usage text. The CLI has no rules of its own for the values of option flags: it turns
 * them into {@link RuntimeOptions}, and `resolveRuntimeOptions` validates them (`parse-flags.ts` calls it before
 * anything else; see `flag-hints.ts` for how its errors name the flag). Defaults come from
 * {@link RUNTIME_OPTION_DEFAULTS}, so the usage text cannot drift.
 */
import type { ParseArgsConfig } from 'node:util';
import { RUNTIME_OPTION_DEFAULTS, type RuntimeOptions } from '@statehouse/runtime';

import { DEFAULT_HEAP_GROWTH_PERCENT } from './heap-growth.js';

/** Runtime options set by a flag whose value is text. */
type TextOption = 'dataDir' | 'listen' | 'storeUrl' | 'nodeId' | 'advertise' | 'snapshotTo' | 'snapshotEvery';
/** Runtime options set by a flag whose value is a number. */
type NumberOption =
  | 'leaseMs'
  | 'maxIngressBytes'
  | 'maxInboxMessages'
  | 'maxInboxBytes'
  | 'snapshotKeep'
  | 'maxIdBytes'
  | 'maxHeaderBytes'
  | 'maxHeaders'
  | 'maxConnections'
  | 'maxEgressLimit'
  | 'maxEgressWaitMs';

/** The runtime options the flags of `statehouse run` can set. */
export type FlagOptions = Partial<Pick<RuntimeOptions, TextOption | NumberOption>>;

interface FlagBase {
  /** The flag without its leading `--`. */
  readonly name: string;
  /** The placeholder of its value in the usage text. */
  readonly arg: string;
  /** One line of help. */
  readonly help: string;
}

/** A flag that sets a runtime option; its default is the option's. */
type OptionFlag = FlagBase &
  (
    | { readonly option: TextOption; readonly kind: 'text' }
    | { readonly option: NumberOption; readonly kind: 'number' }
  ) & {
    /** Shown when the option has no fixed default (it is derived). */
    readonly derivedDefault?: string;
  };

/** A flag the CLI itself uses. */
type CliFlag = FlagBase & {
  readonly option?: undefined;
  readonly kind?: undefined;
  readonly default: string;
  /** Whether its value is a number (so that `--flag -1` is read as a value, and refused by its own check). */
  readonly isNumber?: boolean;
};

/** The log levels `--log-level` accepts (pino's). */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Every flag of `statehouse run` that takes a value, in the order of the usage text. */
export const RUN_FLAGS: readonly (OptionFlag | CliFlag)[] = [
  {
    name: 'data-dir',
    arg: 'DIR',
    option: 'dataDir',
    kind: 'text',
    help: 'Directory of the embedded SQLite store',
  },
  { name: 'listen', arg: 'HOST:PORT', option: 'listen', kind: 'text', help: 'Address of the HTTP API' },
  {
    name: 'store',
    arg: 'URL',
    option: 'storeUrl',
    kind: 'text',
    help: 'Store URL; postgres://... selects cluster mode',
    derivedDefault: 'embedded SQLite',
  },
  {
    name: 'node-id',
    arg: 'ID',
    option: 'nodeId',
    kind: 'text',
    help: "Cluster mode: this process's unique name",
    derivedDefault: '<hostname>-<pid>-<random>',
  },
  {
    name: 'advertise',
    arg: 'HOST:PORT',
    option: 'advertise',
    kind: 'text',
    help: "Cluster mode: where this process's API is reached",
    derivedDefault: 'the listen address',
  },
  {
    name: 'lease-timeout-ms',
    arg: 'N',
    option: 'leaseMs',
    kind: 'number',
    help: 'Cluster mode: a silent process loses its key groups after N ms',
  },
  {
    name: 'max-ingress-bytes',
    arg: 'N',
    option: 'maxIngressBytes',
    kind: 'number',
    help: 'Largest accepted ingress body in bytes',
  },
  {
    name: 'max-inbox-messages',
    arg: 'N',
    option: 'maxInboxMessages',
    kind: 'number',
    help: 'Messages held in memory at most; the backlog beyond waits in the store',
  },
  {
    name: 'max-inbox-bytes',
    arg: 'N',
    option: 'maxInboxBytes',
    kind: 'number',
    help: 'Bytes of messages held in memory at most',
  },
  {
    name: 'max-id-bytes',
    arg: 'N',
    option: 'maxIdBytes',
    kind: 'number',
    help: 'Longest function id an ingress request may name, in UTF-8 bytes (at most 1024)',
  },
  {
    name: 'max-header-bytes',
    arg: 'N',
    option: 'maxHeaderBytes',
    kind: 'number',
    help: 'Largest API request line and headers in bytes (431 beyond)',
  },
  {
    name: 'max-headers',
    arg: 'N',
    option: 'maxHeaders',
    kind: 'number',
    help: 'Most headers of an API request (431 beyond)',
  },
  {
    name: 'max-connections',
    arg: 'N',
    option: 'maxConnections',
    kind: 'number',
    help: 'Open API connections at most; further ones are closed at once',
  },
  {
    name: 'max-egress-limit',
    arg: 'N',
    option: 'maxEgressLimit',
    kind: 'number',
    help: 'Most records one GET /v1/egress answers (a larger limit= is lowered)',
  },
  {
    name: 'max-egress-wait-ms',
    arg: 'N',
    option: 'maxEgressWaitMs',
    kind: 'number',
    help: 'Longest long-poll wait= of GET /v1/egress in ms (a larger one is lowered)',
  },
  {
    name: 'snapshot-every',
    arg: 'DURATION',
    option: 'snapshotEvery',
    kind: 'text',
    help: 'Take a snapshot this often, e.g. 15m (needs --snapshot-to)',
    derivedDefault: 'off',
  },
  {
    name: 'snapshot-to',
    arg: 'LOCATION',
    option: 'snapshotTo',
    kind: 'text',
    help: 'Where scheduled snapshots go: a directory or s3://bucket/prefix',
    derivedDefault: 'none',
  },
  {
    name: 'snapshot-keep',
    arg: 'N',
    option: 'snapshotKeep',
    kind: 'number',
    help: 'Scheduled snapshots kept at the location (older ones are deleted)',
  },
  {
    name: 'api-tokens',
    arg: 'FILE',
    help: 'API tokens and their scopes (YAML, see docs/security.md); also STATEHOUSE_API_TOKEN',
    default: 'none: an open API, on loopback only',
  },
  {
    name: 'tls-cert',
    arg: 'FILE',
    help: 'Serve the API over HTTPS with this certificate chain (PEM), with --tls-key; SIGHUP reloads both',
    default: 'none: plain HTTP',
  },
  { name: 'tls-key', arg: 'FILE', help: 'The private key (PEM) of --tls-cert', default: 'none' },
  {
    name: 'tls-client-ca',
    arg: 'FILE',
    help: 'Require client certificates signed by these CAs (PEM): mutual TLS',
    default: 'none',
  },
  {
    name: 'heap-growth-percent',
    arg: 'N',
    isNumber: true,
    help: "Let V8's heap grow N % beyond its live data before a full collection; 0: V8's own rule (up to 300 %)",
    default: String(DEFAULT_HEAP_GROWTH_PERCENT),
  },
  {
    name: 'signing-key',
    arg: 'FILE',
    help: 'Sign calls to functions with this Ed25519 private key (PEM) or HMAC secret; also STATEHOUSE_SIGNING_KEY',
    default: 'none: unsigned calls',
  },
  {
    name: 'log-level',
    arg: 'LEVEL',
    help: LOG_LEVELS.join(', ').replace(/, (\w+)$/, ' or $1'),
    default: 'info',
  },
];

/** The flags that only make sense in cluster mode (with `--store`). */
export const CLUSTER_ONLY_FLAGS: readonly string[] = ['node-id', 'advertise', 'lease-timeout-ms'];

/** The `options` of `parseArgs` for `statehouse run`. */
export const RUN_PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(RUN_FLAGS.map((flag) => [flag.name, { type: 'string' } as const])),
  'insecure-no-auth': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Turns the parsed flags into runtime options, unchecked: a number flag's text becomes `Number(text)` (`NaN`
 * if it is none), and the runtime rejects what is out of range. Check them first with `resolveFlagValues`
 * (`parse-flags.ts`), whose messages show the values as typed.
 *
 * @param values - the `values` of `parseArgs` with {@link RUN_PARSE_OPTIONS}.
 * @returns the options the given flags set.
 */
export function runtimeOptionsFromFlags(values: Readonly<Record<string, unknown>>): FlagOptions {
  const options: { -readonly [K in keyof FlagOptions]: FlagOptions[K] } = {};
  for (const flag of RUN_FLAGS) {
    const text = values[flag.name];
    if (flag.option === undefined || typeof text !== 'string') continue;
    if (flag.kind === 'number') options[flag.option] = Number(text);
    else options[flag.option] = text;
  }
  return options;
}

/**
 * The flag that sets a runtime option.
 *
 * @param option - a key of {@link RuntimeOptions}.
 * @returns e.g. `--listen`, or `undefined` if no flag sets it.
 */
export function flagOf(option: string): string | undefined {
  const flag = RUN_FLAGS.find((f) => f.option === option);
  return flag === undefined ? undefined : `--${flag.name}`;
}

function defaultOf(flag: OptionFlag | CliFlag): string {
  if (flag.option === undefined) return flag.default;
  const defaults: Readonly<Record<string, string | number | boolean>> = RUNTIME_OPTION_DEFAULTS;
  const value = defaults[flag.option];
  return value === undefined ? (flag.derivedDefault ?? '') : String(value);
}

/** The options part of the usage text of `statehouse run`, one line per flag. */
export function runFlagsUsage(): string {
  const rows = [
    ...RUN_FLAGS.map((flag) => [`--${flag.name} ${flag.arg}`, `${flag.help} (default ${defaultOf(flag)})`]),
    ['--insecure-no-auth', 'Serve an API without tokens beyond loopback (behind a proxy that authenticates)'],
    ['-h, --help', 'Show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left!.length)) + 2;
  return rows.map(([left, right]) => `  ${left!.padEnd(width)}${right}`).join('\n');
}
