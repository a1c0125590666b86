/** How the snapshot workload is reported: its rows with the targets, and its note below the table. */
import type { Row } from './results.js';
import { formatCount } from './rows.js';
import { refusals } from './workloads/ingress-status.js';
import type { PhaseResult } from './workloads/phased-load.js';
import { SNAPSHOT_CONCURRENCY, type SnapshotResult } from './workloads/snapshot.js';

/** The restore target (≤ 30 s) is stated for this many addresses. */
const RESTORE_TARGET_ADDRESSES = 1_000_000;

/** Rows of one phase of the counter load: e2e throughput and p99. */
function loadRows(workload: string, label: string, phase: PhaseResult): Row[] {
  const flavour = 'ours';
  return [
    { workload, flavour, metric: `${label} e2e throughput`, value: phase.e2ePerSecond, unit: 'msg/s' },
    {
      workload,
      flavour,
      metric: `${label} e2e p99`,
      value: phase.e2e.p99,
      unit: 'ms',
      isLowerBound: phase.undrained > 0,
    },
  ];
}

/**
 * Rows of the snapshot workload: the counter load before and while the snapshot is taken (the target:
 * ≥ 80 % of the baseline), the snapshot's duration, size and state rows, the runtime's RSS meanwhile, and the
 * restore time (the target: ≤ 30 s for 1M addresses).
 *
 * @param r - the run.
 * @returns the rows.
 */
export function snapshotRows(r: SnapshotResult): Row[] {
  const workload = `snapshot ${formatCount(r.fixture.addresses)}`;
  const flavour = 'ours';
  const { report } = r.snapshot;
  const is1M = r.fixture.addresses >= RESTORE_TARGET_ADDRESSES;
  return [
    ...loadRows(workload, 'baseline', r.baseline),
    ...loadRows(workload, 'during snapshot', r.during),
    {
      workload,
      flavour,
      metric: 'during snapshot ÷ baseline (e2e)',
      value: (r.during.e2ePerSecond / r.baseline.e2ePerSecond) * 100,
      unit: '%',
      target: { op: '>=', value: 80 },
    },
    {
      workload,
      flavour,
      metric: 'answers other than 202 during snapshot',
      value: refusals(r.during.statuses),
      unit: '',
    },
    { workload, flavour, metric: 'snapshot duration', value: report.durationMs, unit: 'ms' },
    { workload, flavour, metric: 'snapshot size', value: report.bytes / 1e6, unit: 'MB' },
    { workload, flavour, metric: 'rows of state in it', value: report.rows['state'] ?? Number.NaN, unit: '' },
    { workload, flavour, metric: 'runtime RSS (max, during snapshot)', value: r.during.rssMaxMB, unit: 'MB' },
    {
      workload,
      flavour: '-',
      metric: 'restore time (fresh data dir)',
      value: r.restore.ms,
      unit: 'ms',
      target: { op: '<=', value: 30_000, note: '@1M', isApplicable: is1M },
    },
    {
      workload,
      flavour: '-',
      metric: 'rows of state restored',
      value: r.restore.rows['state'] ?? Number.NaN,
      unit: '',
    },
  ];
}

/**
 * The note printed below the table when the snapshot workload ran.
 *
 * @param addresses - the addresses of counter state in its store.
 * @param durationMs - the baseline window.
 * @returns the note.
 */
export function snapshotNote(addresses: number, durationMs: number): string {
  return (
    `Snapshot (embedded SQLite store, ${addresses.toLocaleString('en-US')} addresses of counter state written ` +
    'straight into it, no pending messages): a runtime on that store runs the counter workload at ' +
    `c=${SNAPSHOT_CONCURRENCY} (1,000 keys); after the warm-up, the baseline window (${durationMs / 1000} s), then ` +
    '`POST /v1/admin/snapshots` to a local directory on the same disk while the load goes on; "during snapshot" is ' +
    'from that POST to its answer (the runtime takes it in its own process: one read transaction, the table files ' +
    'gzip-compressed JSON lines). Duration, size and rows are those the runtime reports. Then the runtime stops and ' +
    'the bench process restores the snapshot into a fresh data directory (`restoreSnapshot`: checksums, then one ' +
    'transaction, then fsync), timed from the call to its return; its ≤ 30 s target is stated for 1M addresses ' +
    "(run --full). RSS is the runtime child process's VmRSS, sampled every 100 ms."
  );
}
