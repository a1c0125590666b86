/**
 * `npm run bench [-- --full] [--only counter,cart] [--flavour ours|official|both] [--no-append] [--cpu-prof DIR]
 * [--isolation-backlog N]`: starts the function services and runtimes itself on loopback, runs the workloads,
 * prints a table and a JSON blob, and appends the table to bench/RESULTS.md.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { now } from './load.js';
import {
  cleanupEverything,
  clockTicksPerSecond,
  ownTicks,
  setRuntimeNodeArgs,
  startService,
  systemBusyTicks,
  type Flavour,
} from './processes.js';
import { FULL, QUICK, type Profile } from './profile.js';
import { appendResults, commitInfo, formatTable, loadAverage, machineInfo } from './report.js';
import type { Row } from './results.js';
import {
  cartRows,
  ceilingRows,
  clusterRows,
  counterRows,
  deliveryTable,
  hotKeyRows,
  isolationRows,
  kafkaRows,
  recoveryRows,
  sequentialRows,
  type HotKeyReference,
} from './rows.js';
import { snapshotNote, snapshotRows } from './snapshot-report.js';
import { runCluster } from './workloads/cluster.js';
import { runCart } from './workloads/cart.js';
import { runCeiling, type CeilingKind, type CeilingResult } from './workloads/ceiling.js';
import { runCounter } from './workloads/counter.js';
import { runHotKey } from './workloads/hot-key.js';
import { runIsolation } from './workloads/isolation.js';
import {
  MAX_OUTSTANDING as KAFKA_MAX_OUTSTANDING,
  PARTITIONS as KAFKA_PARTITIONS,
  PRODUCE_BATCH as KAFKA_PRODUCE_BATCH,
  PRODUCERS as KAFKA_PRODUCERS,
  runKafka,
} from './workloads/kafka.js';
import {
  CEILING_RECORDS as KINESIS_CEILING_RECORDS,
  kinesisRows,
  MAX_OUTSTANDING as KINESIS_MAX_OUTSTANDING,
  PUT_BATCH as KINESIS_PUT_BATCH,
  PUTTERS as KINESIS_PUTTERS,
  READ_INTERVAL_MS as KINESIS_READ_INTERVAL_MS,
  RECORDS as KINESIS_RECORDS,
  runKinesis,
  SHARDS as KINESIS_SHARDS,
} from './workloads/kinesis.js';
import { runRecovery } from './workloads/recovery.js';
import { runSequential } from './workloads/sequential.js';
import { runSnapshot } from './workloads/snapshot.js';
import { formatSoak, runSoak } from './workloads/soak.js';

const WORKLOADS = [
  'counter',
  'hot-key',
  'sequential',
  'cart',
  'recovery',
  'ceiling',
  'cluster',
  'soak',
  'isolation',
  'kafka',
  'kinesis',
  'snapshot',
] as const;
type Workload = (typeof WORKLOADS)[number];
/** What runs without --only: every workload but the long ones (soak, isolation, snapshot). */
const DEFAULT_WORKLOADS = WORKLOADS.filter((w) => w !== 'soak' && w !== 'isolation' && w !== 'snapshot');
/**
 * The drain of the isolation workload is compared with the hot-key rate of the same invocation; without one
 * (no `--only hot-key,isolation`), with the reference run's (ours) in RESULTS.md.
 */
const REFERENCE_HOT_KEY: HotKeyReference = Object.freeze({
  perSecond: 17_518,
  source: 'hot key, RESULTS.md reference run 2026-11-24',
});

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
const USAGE = `Usage: npm run bench -- [--full] [--only ${WORKLOADS.join(',')}] [--flavour ours|official|both] [--no-append]

  --full        30 s windows and the 1M-address recovery and snapshot stores (default: the quick profile, under 3 minutes)
  --only LIST   run only these workloads (comma-separated; the ceilings they are compared with always run)
  --flavour F   function services written with our SDK, the official one, or both (default both)
  --no-append   do not append to bench/RESULTS.md
  --cpu-prof D  write a V8 CPU profile of every runtime process into directory D (open in Chrome DevTools)
  --runtime-node-args "ARGS"  Node flags for every runtime process only, space-separated (e.g. "--max-semi-space-size=8")
  --soak-minutes N  length of the soak workload (only with --only soak; default 20)
  --isolation-backlog N  messages posted to the failing type (only with --only isolation; default 1000000)
  --isolation-max-inbox-messages N  the runtimes' --max-inbox-messages in the isolation workload (default: the
                runtime's); lower it with a small backlog so that a smoke run also spills to the store
  --only snapshot  (ours only; not in the default set) a snapshot of a 200k-address store (1M with --full) taken
                under the counter load at c=64, then restored into a fresh data dir`;

/** Other processes using more than this many cores on average make the run "contended". */
const CONTENDED_CORES = 0.25;

interface Options {
  readonly profile: Profile;
  readonly workloads: ReadonlySet<Workload>;
  readonly flavours: readonly Flavour[];
  readonly isAppending: boolean;
  readonly soakMinutes: number;
  readonly isolationBacklog: number;
  readonly isolationMaxInboxMessages: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      flavour: { type: 'string', default: 'both' },
      'no-append': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'runtime-node-args': { type: 'string' },
      'soak-minutes': { type: 'string', default: '20' },
      'isolation-backlog': { type: 'string', default: '1000000' },
      'isolation-max-inbox-messages': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = (values.only ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  for (const w of only) {
    if (!(WORKLOADS as readonly string[]).includes(w))
      throw new Error(`unknown workload ${JSON.stringify(w)} in --only; use ${WORKLOADS.join(', ')}`);
  }
  const flavour = values.flavour;
  if (flavour !== 'ours' && flavour !== 'official' && flavour !== 'both') {
    throw new Error(`--flavour must be ours, official or both, got ${JSON.stringify(flavour)}`);
  }
  const soakMinutes = Number(values['soak-minutes']);
  if (!(soakMinutes > 0))
    throw new Error(`--soak-minutes must be a number > 0, got ${values['soak-minutes']}`);
  const isolationBacklog = Number(values['isolation-backlog']);
  if (!Number.isInteger(isolationBacklog) || isolationBacklog < 1)
    throw new Error(`--isolation-backlog must be a whole number > 0, got ${values['isolation-backlog']}`);
  const maxInbox = values['isolation-max-inbox-messages'];
  const isolationMaxInboxMessages = maxInbox === undefined ? undefined : Number(maxInbox);
  if (
    isolationMaxInboxMessages !== undefined &&
    !(Number.isInteger(isolationMaxInboxMessages) && isolationMaxInboxMessages > 0)
  )
    throw new Error(`--isolation-max-inbox-messages must be a whole number > 0, got ${maxInbox}`);
  setRuntimeNodeArgs([
    ...(values['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']]),
    ...(values['runtime-node-args']?.split(' ').filter((a) => a !== '') ?? []),
  ]);
  return {
    profile: values.full ? FULL : QUICK,
    workloads: new Set((only.length === 0 ? DEFAULT_WORKLOADS : only) as Workload[]),
    soakMinutes,
    isolationBacklog,
    isolationMaxInboxMessages,
    flavours: flavour === 'both' ? ['ours', 'official'] : [flavour],
    isAppending: !values['no-append'],
  };
}

/** The ceilings the selected workloads are compared with: kind and concurrency. */
function neededCeilings(workloads: ReadonlySet<Workload>): [CeilingKind, number][] {
  const out: [CeilingKind, number][] = [];
  if (workloads.has('sequential')) out.push(['counter', 1]);
  if (
    workloads.has('counter') ||
    workloads.has('hot-key') ||
    workloads.has('kafka') ||
    workloads.has('ceiling')
  )
    out.push(['counter', 64]);
  if (workloads.has('counter') || workloads.has('ceiling')) out.push(['counter', 256]);
  if (workloads.has('cart') || workloads.has('ceiling')) out.push(['cart', 64]);
  return out;
}

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function runFlavour(
  flavour: Flavour,
  options: Options,
  rows: Row[],
  tables: string[],
  details: Record<string, unknown>,
): Promise<void> {
  const { profile, workloads } = options;
  log(`${flavour}: starting the function service`);
  const service = await startService(flavour);
  try {
    const ceilings = new Map<string, CeilingResult>();
    for (const [kind, concurrency] of neededCeilings(workloads)) {
      log(`${flavour}: ceiling ${kind} c=${concurrency}`);
      const r = await runCeiling(
        service,
        kind,
        concurrency,
        profile.ceilingWarmupMs,
        profile.ceilingDurationMs,
      );
      ceilings.set(`${kind}/${concurrency}`, r);
      rows.push(...ceilingRows(flavour, r));
      details[`${flavour}/ceiling-${kind}-c${concurrency}`] = r;
    }
    if (workloads.has('counter')) {
      for (const concurrency of [64, 256]) {
        log(`${flavour}: counter c=${concurrency}`);
        const r = await runCounter(service, profile, concurrency);
        rows.push(...counterRows(flavour, r, ceilings.get(`counter/${concurrency}`)));
        details[`${flavour}/counter-c${concurrency}`] = r;
      }
    }
    let hotKey = REFERENCE_HOT_KEY;
    if (workloads.has('hot-key')) {
      log(`${flavour}: hot key`);
      const r = await runHotKey(service, profile.hotKeyMessages, 64);
      rows.push(...hotKeyRows(flavour, r, ceilings.get('counter/64')));
      details[`${flavour}/hot-key`] = r;
      hotKey = { perSecond: r.e2ePerSecond, source: 'hot key, this run' };
    }
    if (workloads.has('isolation') && flavour === 'ours') {
      log(
        `${flavour}: isolation, healthy counter solo, then with a failing type absorbing ${options.isolationBacklog} messages, then its drain`,
      );
      const r = await runIsolation(service, {
        backlogMessages: options.isolationBacklog,
        warmupMs: profile.warmupMs,
        durationMs: profile.durationMs,
        drainMs: profile.drainMs,
        ...(options.isolationMaxInboxMessages === undefined
          ? {}
          : { runtimeArgs: ['--max-inbox-messages', String(options.isolationMaxInboxMessages)] }),
      });
      rows.push(...isolationRows(r, hotKey));
      details[`${flavour}/isolation`] = r;
    }
    if (workloads.has('snapshot') && flavour === 'ours') {
      log(
        `${flavour}: snapshot of ${profile.snapshotAddresses} addresses under the counter load, then restore`,
      );
      const r = await runSnapshot(service, {
        addresses: profile.snapshotAddresses,
        warmupMs: profile.warmupMs,
        durationMs: profile.durationMs,
        drainMs: profile.drainMs,
      });
      rows.push(...snapshotRows(r));
      details[`${flavour}/snapshot`] = r;
    }
    if (workloads.has('sequential')) {
      log(`${flavour}: single key sequential`);
      const r = await runSequential(service, profile);
      rows.push(...sequentialRows(flavour, r, ceilings.get('counter/1')));
      details[`${flavour}/sequential`] = r;
    }
    if (workloads.has('cluster') && flavour === 'ours') {
      log(`${flavour}: cluster (PostgreSQL) 1, 2, 3 processes, failover and recovery after faults`);
      const r = await runCluster(service, profile);
      rows.push(...clusterRows(flavour, r));
      tables.push(deliveryTable(r.recovery));
      details[`${flavour}/cluster`] = r;
    }
    if (workloads.has('soak') && flavour === 'ours') {
      log(`${flavour}: soak, counter with 1-minute egress retention for ${options.soakMinutes} min`);
      const r = await runSoak(service, { minutes: options.soakMinutes });
      tables.push(formatSoak(r));
      details[`${flavour}/soak`] = r;
    }
    if (workloads.has('kafka')) {
      for (const semantic of ['at-least-once', 'exactly-once'] as const) {
        log(`${flavour}: kafka → counter → kafka, ${semantic} egress (librdkafka mock broker)`);
        const r = await runKafka(service, profile, semantic);
        rows.push(...kafkaRows(flavour, r, ceilings.get('counter/64')));
        details[`${flavour}/kafka-${semantic}`] = r;
      }
    }
    if (workloads.has('kinesis') && flavour === 'ours') {
      log(`${flavour}: kinesis → counter → kinesis (kinesalite), after kinesalite's own ceilings`);
      const r = await runKinesis(service, profile);
      rows.push(...kinesisRows(flavour, r));
      details[`${flavour}/kinesis`] = r;
    }
    if (workloads.has('cart')) {
      log(`${flavour}: cart c=64`);
      const r = await runCart(service, profile, 64);
      rows.push(...cartRows(flavour, r, ceilings.get('cart/64')));
      details[`${flavour}/cart`] = r;
    }
  } finally {
    await service.stop();
  }
}

function notesFor(options: Options): string[] {
  const notes = [
    'e2e = ingress POST sent → its egress record read by a follower long-polling `GET /v1/egress/…?wait=1000` (includes the poll). ' +
      'Throughput rows count egress records (or ingress 202s) per second inside the window.',
    '÷ ceiling = value ÷ the same quantity measured on the same function service driven directly over the request-reply ' +
      'protocol (1 message per request, state present, same concurrency; the cart ceiling is the 3-request sequence of one event). ' +
      'For throughput it is the share of the ceiling; for latency, how many times slower.',
    'Counter: closed loop on the ingress (each worker sends its next message when the 202 arrives), so the egress can fall behind; ' +
      '"≥" marks latencies of messages still not out after the drain wait (lower bounds). Sequential and cart: closed loop end to end.',
    `Durations: ${options.profile.warmupMs / 1000} s warm-up + ${options.profile.durationMs / 1000} s window (counter, cart); ` +
      `${options.profile.ceilingWarmupMs / 1000} + ${options.profile.ceilingDurationMs / 1000} s (ceilings); ` +
      `${options.profile.sequentialWarmupMs / 1000} + ${options.profile.sequentialDurationMs / 1000} s (sequential). ` +
      'Every runtime workload gets a fresh runtime and data dir (SQLite, fsync on every commit).',
  ];
  if (options.workloads.has('cluster') && options.flavours.includes('ours')) {
    notes.push(
      'Cluster recovery: 3 processes on one PostgreSQL, a fresh database per fault; n3 is the process hit. ' +
        'After a warm-up (one message to each of 512 ids, 2 in each of the 256 key groups, all delivered), ingress at 256 msg/s ' +
        'round-robin over the processes not under the fault, from 2 s before the fault until 2 s after both the fault is over and ' +
        'the lease timeout has passed since it began; then no traffic at all. Sent = POSTs (the others got 503 or lost their connection). ' +
        "Delay = ingress 202 received → the message's egress record read (`GET /v1/egress/…?wait=100` on n1 or n2, so up to 0.1 s of polling). " +
        'The bound is the promise "every accepted message is delivered within lease timeout + 2 s"; "≥" marks messages never delivered ' +
        '(waited bound + 35 s after the last 202). The last column counts from when the fault was over (PostgreSQL back, process ready or resumed).',
    );
  }
  if (options.workloads.has('kafka')) {
    notes.push(
      'Kafka: a librdkafka mock broker (1 broker, in memory, the testkit builds it) with `bench-in` and `bench-out` of ' +
        `${KAFKA_PARTITIONS} partitions; an io.statefun.kafka.v1/ingress feeds the counter (1,000 keys = record keys), its records go ` +
        'to an io.statefun.kafka.v1/egress (at-least-once, then exactly-once: one Kafka transaction per shipped batch). ' +
        `The bench produces ${KAFKA_PRODUCE_BATCH.toLocaleString('en-US')}-record requests from ${KAFKA_PRODUCERS} loops while fewer than ` +
        `${KAFKA_MAX_OUTSTANDING.toLocaleString('en-US')} records are outstanding (produced, not yet read back), and reads \`bench-out\` ` +
        'with its own consumer; e2e = produce call → output record read (so it includes that queue). The mock hands a consumer one ' +
        'producer batch per partition per fetch and answers a fetch only when its wait is over, so the runtime and the reader use ' +
        '`fetch.max.wait.ms: 20`. ÷ ceiling is against the counter ceiling at c=64 (one message per request), as the issue asks.',
    );
  }
  if (options.workloads.has('kinesis') && options.flavours.includes('ours')) {
    const records = KINESIS_RECORDS[options.profile.name];
    notes.push(
      "Kinesis (ours only: the official SDK service has no Kinesis counter): kinesalite 3.3 (the testkit's, in memory, in a " +
        `child process of its own) with \`bench-in\` and \`bench-out\` of ${KINESIS_SHARDS} shards; an io.statefun.kinesis.v1/ingress ` +
        '(`startupPosition: earliest`, `flink.shard.getrecords.intervalmillis: ' +
        `${KINESIS_READ_INTERVAL_MS}\`) feeds the counter (1,000 keys = partition keys), its records go to an ` +
        'io.statefun.kinesis.v1/egress (defaults: no record-id envelope, 1,000 outstanding records). ' +
        `"kinesalite alone" first puts ${KINESIS_CEILING_RECORDS.toLocaleString('en-US')} records into a scratch stream ` +
        `(PutRecords of ${KINESIS_PUT_BATCH}, ${KINESIS_PUTTERS} in flight), then reads them back (GetRecords, limit 10,000, ` +
        'every shard at once); each pipeline record is put twice and read twice, so kinesalite allows the pipeline ' +
        '1 ÷ (2/put + 2/get), the ÷ ceiling of the throughput row. Then, after 2,000 warm-up records, the bench puts ' +
        `${records.toLocaleString('en-US')} records the same way while fewer than ${KINESIS_MAX_OUTSTANDING.toLocaleString('en-US')} ` +
        'are outstanding (put, not read back) and polls `bench-out` with its own GetRecords loop per shard (waiting ' +
        `${KINESIS_READ_INTERVAL_MS} ms after a read that was not full, as the ingress does); e2e = PutRecords call → ` +
        "record returned by the consumer's GetRecords; throughput = records ÷ (first put → last record read). " +
        'Busy = CPU time ÷ that elapsed time (100 % = one core).',
    );
  }
  if (options.workloads.has('isolation') && options.flavours.includes('ours')) {
    const budget =
      options.isolationMaxInboxMessages === undefined
        ? "the runtime's default memory budget"
        : `--max-inbox-messages ${options.isolationMaxInboxMessages}`;
    notes.push(
      'Isolation (embedded SQLite store, ' +
        budget +
        '): the healthy load is the counter workload at c=64 (1,000 keys); "solo" runs it alone on a fresh runtime. ' +
        'A second fresh runtime gets the same load plus a second function type whose service answers 500: after the warm-up, ' +
        `${options.isolationBacklog.toLocaleString('en-US')} messages to 1,000 of its addresses are posted at full speed by 16 clients ` +
        '(each owns its addresses and waits for each 202) while the healthy load runs ("posting"), then the healthy load runs one more window ' +
        'with the backlog held ("held"; the target applies there: during posting both ingress streams share the same 2 cores). ' +
        'Then the healthy load stops, the service recovers, and the drain rate is the backlog ÷ (recovery → its last egress record), ' +
        "including the stalled addresses' backoff (up to 10 s). Every backlog message carries its seq at its address; " +
        'the function writes one egress record per message with the seq its committed state held before, which proves order and exactly-once. ' +
        "RSS is the runtime child process's VmRSS (/proc/<pid>/status), sampled every 100 ms.",
    );
  }
  if (options.workloads.has('snapshot') && options.flavours.includes('ours')) {
    notes.push(snapshotNote(options.profile.snapshotAddresses, options.profile.durationMs));
  }
  if (options.profile.name === 'quick' && options.workloads.has('recovery')) {
    notes.push(
      `Quick profile: recovery uses ${options.profile.recoveryAddresses.toLocaleString('en-US')} addresses and ` +
        `${options.profile.recoveryMessages.toLocaleString('en-US')} pending messages; the target is for 1M / 100k (run --full).`,
    );
  }
  return notes;
}

/** How the bench was started, for RESULTS.md: through `npm run bench` or directly with node. */
function commandLine(args: readonly string[]): string {
  const rest = args.join(' ');
  if (process.env['npm_lifecycle_event'] === 'bench')
    return `npm run bench${rest === '' ? '' : ` -- ${rest}`}`;
  return `node --import tsx bench/src/main.ts${rest === '' ? '' : ` ${rest}`}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const date = new Date();
  const started = now();
  const loadAtStart = loadAverage();
  const busyAtStart = systemBusyTicks();
  const ownAtStart = ownTicks();
  const command = commandLine(process.argv.slice(2));
  log(
    `${options.profile.name} profile; workloads ${[...options.workloads].join(', ')}; flavours ${options.flavours.join(', ')}; load average ${loadAtStart.toFixed(2)}`,
  );

  const rows: Row[] = [];
  const tables: string[] = [];
  const details: Record<string, unknown> = {};
  for (const flavour of options.flavours) await runFlavour(flavour, options, rows, tables, details);
  if (options.workloads.has('recovery')) {
    log(
      `recovery: ${options.profile.recoveryAddresses} addresses, ${options.profile.recoveryMessages} pending messages`,
    );
    const r = await runRecovery(options.profile);
    rows.push(...recoveryRows(r));
    details['recovery'] = r;
  }

  const wallSeconds = (now() - started) / 1000;
  const otherLoadCores = Math.max(
    0,
    (systemBusyTicks() - busyAtStart - (ownTicks() - ownAtStart)) / clockTicksPerSecond() / wallSeconds,
  );
  const run = {
    date,
    profile: options.profile.name,
    machine: machineInfo(),
    commit: commitInfo(REPO),
    command,
    wallSeconds,
    loadAverageAtStart: loadAtStart,
    otherLoadCores,
    isContended: otherLoadCores > CONTENDED_CORES,
  };
  const table = [...(rows.length > 0 ? [formatTable(rows)] : []), ...tables].join('\n\n');
  const notes = notesFor(options);
  console.log(`\n${table}\n`);
  for (const n of notes) console.log(`- ${n}`);
  console.log(
    `\nwall ${wallSeconds.toFixed(0)} s; other load ${otherLoadCores.toFixed(2)} cores${run.isContended ? ' (contended)' : ''}; commit ${run.commit}\n`,
  );
  console.log(JSON.stringify({ run, rows, details }));
  if (options.isAppending) {
    await appendResults(RESULTS_FILE, run, table, notes);
    log(`appended to ${RESULTS_FILE}`);
  }
}

process.on('exit', cleanupEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanupEverything();
    process.exit(130);
  });
}
try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  cleanupEverything();
}
