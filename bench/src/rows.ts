/** Turns workload results into table rows with their ceilings and the targets. */
import type { Flavour } from './processes.js';
import { formatMarkdownTable, formatNumber } from './report.js';
import type { Row } from './results.js';
import type { CartResult } from './workloads/cart.js';
import type { CeilingResult } from './workloads/ceiling.js';
import type { ClusterResult } from './workloads/cluster.js';
import type { DeliveryResult } from './workloads/cluster-recovery.js';
import type { CounterResult } from './workloads/counter.js';
import type { HotKeyResult } from './workloads/hot-key.js';
import { refusals } from './workloads/ingress-status.js';
import type { IsolationResult } from './workloads/isolation.js';
import type { KafkaResult } from './workloads/kafka.js';
import type { PhaseResult } from './workloads/phased-load.js';
import type { RecoveryResult } from './workloads/recovery.js';
import type { SequentialResult } from './workloads/sequential.js';

/** Only set `ceiling` when there is one (exactOptionalPropertyTypes). */
function withCeiling(row: Row, ceiling: number | undefined): Row {
  return ceiling === undefined ? row : { ...row, ceiling };
}

/** Rows of one ceiling measurement (no ratio: they are the ceiling). */
export function ceilingRows(flavour: Flavour, r: CeilingResult): Row[] {
  const workload = `ceiling ${r.kind} c=${r.concurrency}`;
  const unit = r.kind === 'cart' ? 'events/s' : 'req/s';
  return [
    { workload, flavour, metric: 'throughput (service alone)', value: r.perSecond, unit },
    { workload, flavour, metric: 'latency p50', value: r.latency.p50, unit: 'ms' },
    { workload, flavour, metric: 'latency p99', value: r.latency.p99, unit: 'ms' },
  ];
}

/** Rows of one counter run; the throughput target applies at c=64. */
export function counterRows(flavour: Flavour, r: CounterResult, ceiling: CeilingResult | undefined): Row[] {
  const workload = `counter c=${r.concurrency}`;
  const isLowerBound = r.undrained > 0;
  return [
    withCeiling(
      {
        workload,
        flavour,
        metric: 'e2e throughput',
        value: r.e2ePerSecond,
        unit: 'msg/s',
        ...(r.concurrency === 64
          ? { target: { op: '>=', value: 6_000, minCeilingRatio: 0.6 } as const }
          : {}),
      },
      ceiling?.perSecond,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack throughput', value: r.ackPerSecond, unit: 'msg/s' },
      ceiling?.perSecond,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack p50', value: r.ack.p50, unit: 'ms' },
      ceiling?.latency.p50,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack p99', value: r.ack.p99, unit: 'ms' },
      ceiling?.latency.p99,
    ),
    withCeiling(
      { workload, flavour, metric: 'e2e p50', value: r.e2e.p50, unit: 'ms', isLowerBound },
      ceiling?.latency.p50,
    ),
    withCeiling(
      { workload, flavour, metric: 'e2e p99', value: r.e2e.p99, unit: 'ms', isLowerBound },
      ceiling?.latency.p99,
    ),
    { workload, flavour, metric: 'runtime CPU per message', value: r.runtimeCpuUsPerMessage, unit: 'µs/msg' },
    {
      workload,
      flavour,
      metric: 'runtime RSS (max)',
      value: r.runtimeRssMaxMB,
      unit: 'MB',
      target: { op: '<=', value: 200 },
    },
  ];
}

/**
 * Rows of one Kafka run (Kafka → counter → Kafka). The targets: ≥ 10,000 records/s and ≥ 70 % of the
 * counter ceiling at c=64 of the same service.
 */
export function kafkaRows(flavour: Flavour, r: KafkaResult, ceiling: CeilingResult | undefined): Row[] {
  const workload = `kafka → counter → kafka, ${r.semantic}`;
  const isLowerBound = r.undrained > 0;
  return [
    withCeiling(
      {
        workload,
        flavour,
        metric: 'e2e throughput',
        value: r.e2ePerSecond,
        unit: 'msg/s',
        target: { op: '>=', value: 10_000, minCeilingRatio: 0.7 },
      },
      ceiling?.perSecond,
    ),
    { workload, flavour, metric: 'produced (broker acks)', value: r.producedPerSecond, unit: 'msg/s' },
    { workload, flavour, metric: 'e2e p50', value: r.e2e.p50, unit: 'ms', isLowerBound },
    { workload, flavour, metric: 'e2e p99', value: r.e2e.p99, unit: 'ms', isLowerBound },
    { workload, flavour, metric: 'duplicates read', value: r.duplicates, unit: 'msgs' },
    { workload, flavour, metric: 'runtime CPU per message', value: r.runtimeCpuUsPerMessage, unit: 'µs/msg' },
    { workload, flavour, metric: 'service CPU per message', value: r.serviceCpuUsPerMessage, unit: 'µs/msg' },
    { workload, flavour, metric: 'broker CPU per message', value: r.brokerCpuUsPerMessage, unit: 'µs/msg' },
    {
      workload,
      flavour,
      metric: 'load generator CPU per message',
      value: r.loadGeneratorCpuUsPerMessage,
      unit: 'µs/msg',
    },
    { workload, flavour, metric: 'runtime RSS (max)', value: r.runtimeRssMaxMB, unit: 'MB' },
    { workload, flavour, metric: 'messages per invocation', value: r.activity.meanBatchSize, unit: '' },
    {
      workload,
      flavour,
      metric: 'effect sets per commit',
      value: r.activity.meanEffectSetsPerCommit,
      unit: '',
    },
    {
      workload,
      flavour,
      metric: 'commits per second',
      value: r.activity.commits / r.windowSeconds,
      unit: '',
    },
    { workload, flavour, metric: 'mean commit (incl. fsync)', value: r.activity.meanCommitMs, unit: 'ms' },
  ];
}

/** Rows of one hot-key run. */
export function hotKeyRows(flavour: Flavour, r: HotKeyResult, ceiling: CeilingResult | undefined): Row[] {
  const workload = `hot key ${r.messages / 1000}k c=${r.concurrency}`;
  return [
    withCeiling(
      {
        workload,
        flavour,
        metric: 'e2e throughput',
        value: r.e2ePerSecond,
        unit: 'msg/s',
        target: { op: '>=', value: 20_000 },
      },
      ceiling?.perSecond,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack throughput', value: r.ackPerSecond, unit: 'msg/s' },
      ceiling?.perSecond,
    ),
    { workload, flavour, metric: 'mean batch size', value: r.meanBatchSize, unit: 'msgs' },
    { workload, flavour, metric: 'e2e p99', value: r.e2e.p99, unit: 'ms', isLowerBound: r.undrained > 0 },
  ];
}

/** Rows of one sequential run; the latency targets apply to end-to-end latency. */
export function sequentialRows(
  flavour: Flavour,
  r: SequentialResult,
  ceiling: CeilingResult | undefined,
): Row[] {
  const workload = 'single key sequential';
  return [
    withCeiling(
      { workload, flavour, metric: 'e2e p50', value: r.e2e.p50, unit: 'ms', target: { op: '<=', value: 2 } },
      ceiling?.latency.p50,
    ),
    withCeiling(
      { workload, flavour, metric: 'e2e p99', value: r.e2e.p99, unit: 'ms', target: { op: '<=', value: 5 } },
      ceiling?.latency.p99,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack p50', value: r.ack.p50, unit: 'ms' },
      ceiling?.latency.p50,
    ),
    withCeiling(
      { workload, flavour, metric: 'ingress-ack p99', value: r.ack.p99, unit: 'ms' },
      ceiling?.latency.p99,
    ),
    withCeiling(
      { workload, flavour, metric: 'throughput', value: r.perSecond, unit: 'msg/s' },
      ceiling?.perSecond,
    ),
  ];
}

/** Rows of one cart run. */
export function cartRows(flavour: Flavour, r: CartResult, ceiling: CeilingResult | undefined): Row[] {
  const workload = `cart c=${r.concurrency}`;
  return [
    withCeiling(
      {
        workload,
        flavour,
        metric: 'events/s (e2e)',
        value: r.eventsPerSecond,
        unit: 'events/s',
        target: { op: '>=', value: 2_000 },
      },
      ceiling?.perSecond,
    ),
    withCeiling({ workload, flavour, metric: 'e2e p50', value: r.e2e.p50, unit: 'ms' }, ceiling?.latency.p50),
    withCeiling(
      {
        workload,
        flavour,
        metric: 'e2e p99',
        value: r.e2e.p99,
        unit: 'ms',
        target: { op: '<=', value: 100 },
      },
      ceiling?.latency.p99,
    ),
    { workload, flavour, metric: 'runtime CPU per event', value: r.runtimeCpuUsPerEvent, unit: 'µs/event' },
  ];
}

/** Rows of the recovery workload; the ready target is stated for 1M addresses. */
export function recoveryRows(r: RecoveryResult): Row[] {
  const size = `${formatCount(r.fixture.addresses)} addr, ${formatCount(r.fixture.messages)} pending`;
  const workload = `recovery (${size})`;
  const first = r.restarts[0];
  const readies = r.restarts.map((x) => x.readyMs).sort((a, b) => a - b);
  const median = readies[Math.floor((readies.length - 1) / 2)] ?? Number.NaN;
  return [
    {
      workload,
      flavour: '-',
      metric: 'ready after restart (first)',
      value: first?.readyMs ?? Number.NaN,
      unit: 'ms',
      target: { op: '<=', value: 1_000, note: '@1M', isApplicable: r.fixture.addresses >= 1_000_000 },
    },
    {
      workload,
      flavour: '-',
      metric: `ready after restart (median of ${readies.length})`,
      value: median,
      unit: 'ms',
    },
    {
      workload,
      flavour: '-',
      metric: 'ready on an empty store (baseline)',
      value: r.emptyReadyMs,
      unit: 'ms',
    },
    {
      workload,
      flavour: '-',
      metric: 'runtime RSS at ready',
      value: first?.rssAtReadyMB ?? Number.NaN,
      unit: 'MB',
    },
    {
      workload,
      flavour: '-',
      metric: 'runtime RSS, max 1 s after ready',
      value: first?.rssMaxAfterReadyMB ?? Number.NaN,
      unit: 'MB',
    },
  ];
}

/**
 * A count as workload names show it.
 *
 * @param n - the count.
 * @returns e.g. `1M`, `200k`, `512`.
 */
export function formatCount(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

/** Rows of the cluster workload (PostgreSQL, 1-3 processes, failover). */
export function clusterRows(flavour: Flavour, r: ClusterResult): Row[] {
  const rows: Row[] = [];
  for (const run of r.runs) {
    const workload = `cluster ${run.processes}p c=${run.concurrency}`;
    rows.push(
      { workload, flavour, metric: 'e2e throughput', value: run.e2ePerSecond, unit: 'msg/s' },
      { workload, flavour, metric: 'ingress-ack p50', value: run.ack.p50, unit: 'ms' },
      { workload, flavour, metric: 'ingress-ack p99', value: run.ack.p99, unit: 'ms' },
      { workload, flavour, metric: 'e2e p99', value: run.e2e.p99, unit: 'ms' },
      {
        workload,
        flavour,
        metric: 'runtime CPU per message (all processes)',
        value: run.runtimeCpuUsPerMessage,
        unit: 'µs/msg',
      },
      { workload, flavour, metric: 'effect sets per commit', value: run.meanEffectSetsPerCommit, unit: '' },
      { workload, flavour, metric: 'commit duration (mean)', value: run.meanCommitMs, unit: 'ms' },
    );
  }
  rows.push({
    workload: `cluster failover (lease ${r.failover.leaseMs / 1000} s)`,
    flavour,
    metric: 'SIGKILL → survivors own all key groups',
    value: r.failover.takeoverMs,
    unit: 'ms',
  });
  return rows;
}

/**
 * The table of the cluster's recovery runs: per fault kind, messages sent and accepted around the fault, how
 * many came out, the worst and median delay from 202 to the egress record, the bound lease + 2 s, and the
 * worst time a message still waited once the fault was over (from its 202 if that came later).
 *
 * @param results - the runs, in order.
 * @returns a Markdown table.
 */
export function deliveryTable(results: readonly DeliveryResult[]): string {
  const ms = (value: number): string => `${formatNumber(value, 'ms')} ms`;
  const count = (value: number): string => formatNumber(value, '');
  const header = [
    'cluster recovery (3 processes)',
    'lease',
    'sent',
    'accepted (202)',
    'delivered',
    'worst delay',
    'p50 delay',
    'bound (lease + 2 s)',
    'met?',
    'worst after the fault was over',
  ];
  const body = results.map((r) => [
    r.description,
    `${r.leaseMs / 1000} s`,
    count(r.sent),
    count(r.accepted),
    r.delivered === r.accepted
      ? count(r.delivered)
      : `${count(r.delivered)} (${count(r.accepted - r.delivered)} missing)`,
    `${r.isWorstLowerBound ? '≥ ' : ''}${ms(r.worstMs)}`,
    ms(r.p50Ms),
    ms(r.boundMs),
    r.isMet ? 'met' : 'NOT met',
    `${r.isWorstLowerBound ? '≥ ' : ''}${ms(r.worstAfterFaultOverMs)}`,
  ]);
  return formatMarkdownTable(header, body);
}

/** The hot-key rate the isolation drain is compared with, and where it comes from. */
export interface HotKeyReference {
  readonly perSecond: number;
  /** e.g. `hot key, this run`. */
  readonly source: string;
}

/** Rows of one phase of the healthy load in the isolation workload. */
function healthyRows(workload: string, phase: PhaseResult): Row[] {
  const flavour = 'ours';
  const isLowerBound = phase.undrained > 0;
  return [
    { workload, flavour, metric: 'healthy e2e throughput', value: phase.e2ePerSecond, unit: 'msg/s' },
    { workload, flavour, metric: 'healthy ingress-ack throughput', value: phase.ackPerSecond, unit: 'msg/s' },
    { workload, flavour, metric: 'healthy ingress-ack p50', value: phase.ack.p50, unit: 'ms' },
    { workload, flavour, metric: 'healthy ingress-ack p99', value: phase.ack.p99, unit: 'ms' },
    { workload, flavour, metric: 'healthy e2e p50', value: phase.e2e.p50, unit: 'ms', isLowerBound },
    { workload, flavour, metric: 'healthy e2e p99', value: phase.e2e.p99, unit: 'ms', isLowerBound },
    {
      workload,
      flavour,
      metric: 'healthy answers other than 202',
      value: refusals(phase.statuses),
      unit: '',
      target: { op: '<=', value: 0 },
    },
  ];
}

/**
 * Rows of the isolation workload: the healthy load solo, while the backlog is posted and while it is held
 * (with their ratio to solo), RSS, the drain against the hot-key rate, and exactly-once per address.
 *
 * @param r - the run.
 * @param hotKey - the hot-key rate the drain rate must reach.
 * @returns the rows.
 */
export function isolationRows(r: IsolationResult, hotKey: HotKeyReference): Row[] {
  const flavour = 'ours';
  const size = formatCount(r.backlogMessages);
  const solo = `isolation: solo c=${r.concurrency}`;
  const posting = `isolation: posting ${size} to failing type`;
  const held = `isolation: ${size} backlog held`;
  const drain = `isolation: drain ${size}`;
  const ratio = (phase: PhaseResult): number => (phase.e2ePerSecond / r.solo.e2ePerSecond) * 100;
  const count = (workload: string, metric: string, value: number): Row => ({
    workload,
    flavour,
    metric,
    value,
    unit: '',
    target: { op: '<=', value: 0 },
  });
  return [
    ...healthyRows(solo, r.solo),
    { workload: solo, flavour, metric: 'runtime RSS (max)', value: r.solo.rssMaxMB, unit: 'MB' },
    { workload: solo, flavour, metric: 'runtime RSS (end)', value: r.solo.rssEndMB, unit: 'MB' },
    { workload: solo, flavour, metric: 'V8 heap used (end)', value: r.memorySolo.heapUsedMB, unit: 'MB' },
    ...healthyRows(posting, r.whilePosting),
    { workload: posting, flavour, metric: 'healthy e2e ÷ solo', value: ratio(r.whilePosting), unit: '%' },
    {
      workload: posting,
      flavour,
      metric: 'failing-type ingress-ack throughput',
      value: r.posting.perSecond,
      unit: 'msg/s',
    },
    {
      workload: posting,
      flavour,
      metric: 'failing-type answers other than 202',
      value: refusals(r.posting.statuses),
      unit: '',
    },
    ...healthyRows(held, r.held),
    {
      workload: held,
      flavour,
      metric: 'healthy e2e ÷ solo',
      value: ratio(r.held),
      unit: '%',
      target: { op: '>=', value: 90 },
    },
    { workload: held, flavour, metric: 'backlog in the store', value: r.backlogHeld.messages, unit: '' },
    { workload: held, flavour, metric: 'backlog in memory', value: r.backlogHeld.inMemory, unit: '' },
    {
      workload: held,
      flavour,
      metric: 'stalled addresses',
      value: r.backlogHeld.stalledAddresses,
      unit: '',
    },
    {
      workload: held,
      flavour,
      metric: 'runtime RSS (max, warm-up to end of hold)',
      value: r.withFailingRssMaxMB,
      unit: 'MB',
      target: { op: '<=', value: 250 },
    },
    {
      workload: held,
      flavour,
      metric: 'runtime RSS (end of hold)',
      value: r.withFailingRssEndMB,
      unit: 'MB',
    },
    {
      workload: held,
      flavour,
      metric: 'V8 heap used (end of hold)',
      value: r.memoryHeld.heapUsedMB,
      unit: 'MB',
    },
    {
      workload: held,
      flavour,
      metric: 'failing-service calls answered 500',
      value: r.failingService.failedCalls,
      unit: '',
    },
    {
      workload: drain,
      flavour,
      metric: 'drain rate (recovery → last record)',
      value: r.drain.perSecond,
      unit: 'msg/s',
      isLowerBound: !r.drain.isComplete,
      target: { op: '>=', value: hotKey.perSecond, note: `(${hotKey.source})` },
    },
    {
      workload: drain,
      flavour,
      metric: 'drain rate ÷ hot key',
      value: (r.drain.perSecond / hotKey.perSecond) * 100,
      unit: '%',
    },
    {
      workload: drain,
      flavour,
      metric: 'drain rate (first → last record)',
      value: r.drain.activePerSecond,
      unit: 'msg/s',
    },
    {
      workload: drain,
      flavour,
      metric: 'recovery → first record',
      value: r.drain.firstRecordAfterMs,
      unit: 'ms',
    },
    { workload: drain, flavour, metric: 'runtime RSS (max)', value: r.drain.rssMaxMB, unit: 'MB' },
    count(drain, 'backlog left in the store', r.drain.backlogAfter.messages),
    count(drain, 'duplicates', r.check.duplicates),
    count(drain, 'missing (accepted, never committed)', r.check.missing),
    count(drain, 'out of order at their address', r.check.outOfOrder),
    count(drain, 'committed state ≠ previous seq', r.check.stateMismatches),
  ];
}
