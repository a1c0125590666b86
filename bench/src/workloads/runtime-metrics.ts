/** Reads the runtime's own view of a workload from /metrics: batch sizes, commits and their duration. */
import { metricValue } from '@statehouse/testkit';
import { request } from 'undici';

import { COUNTER_TYPE } from '../names.js';

/** Cumulative counters of /metrics at one moment. */
export interface MetricsSnapshot {
  readonly batchSizeSum: number;
  readonly batches: number;
  readonly commits: number;
  readonly commitSecondsSum: number;
  readonly effectSetsSum: number;
}

/** What the runtime did between two snapshots. */
export interface RuntimeActivity {
  /** Invocation batches of `bench/counter` and their mean size. */
  readonly batches: number;
  readonly meanBatchSize: number;
  /** Store transactions, their mean duration (incl. fsync) and mean effect sets + ingress messages each. */
  readonly commits: number;
  readonly meanCommitMs: number;
  readonly meanEffectSetsPerCommit: number;
}

/**
 * Scrapes /metrics.
 *
 * @param url - the runtime's API URL.
 * @param functionType - whose batch sizes to read. @default bench/counter
 */
export async function scrapeMetrics(url: string, functionType = COUNTER_TYPE): Promise<MetricsSnapshot> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  const read = (name: string, labels: Record<string, string> = {}): number =>
    metricValue(text, name, labels) ?? 0;
  const fn = { function_type: functionType };
  return {
    batchSizeSum: read('statehouse_invocation_batch_size_sum', fn),
    batches: read('statehouse_invocation_batch_size_count', fn),
    commits: read('statehouse_commit_duration_seconds_count'),
    commitSecondsSum: read('statehouse_commit_duration_seconds_sum'),
    effectSetsSum: read('statehouse_commit_effect_sets_sum'),
  };
}

const NO_ACTIVITY: RuntimeActivity = Object.freeze({
  batches: Number.NaN,
  meanBatchSize: Number.NaN,
  commits: Number.NaN,
  meanCommitMs: Number.NaN,
  meanEffectSetsPerCommit: Number.NaN,
});

/** The difference of two snapshots as means; all NaN when either is missing (a failed scrape). */
export function activityBetween(
  before: MetricsSnapshot | undefined,
  after: MetricsSnapshot | undefined,
): RuntimeActivity {
  if (before === undefined || after === undefined) return NO_ACTIVITY;
  const batches = after.batches - before.batches;
  const commits = after.commits - before.commits;
  return {
    batches,
    meanBatchSize: batches > 0 ? (after.batchSizeSum - before.batchSizeSum) / batches : Number.NaN,
    commits,
    meanCommitMs:
      commits > 0 ? ((after.commitSecondsSum - before.commitSecondsSum) * 1000) / commits : Number.NaN,
    meanEffectSetsPerCommit:
      commits > 0 ? (after.effectSetsSum - before.effectSetsSum) / commits : Number.NaN,
  };
}

/** The runtime's memory as /metrics shows it at one moment, and what holds it. */
export interface RuntimeMemory {
  readonly heapUsedMB: number;
  readonly heapTotalMB: number;
  /** Memory outside the V8 heap that JS objects hold (buffers). */
  readonly externalMB: number;
  /** Messages held in memory and their estimated bytes (`statehouse_inbox_*`). */
  readonly inboxMessages: number;
  readonly inboxMB: number;
  readonly invocationsInFlight: number;
}

/**
 * Scrapes the runtime's memory gauges.
 *
 * @param url - the runtime's API URL.
 * @returns the gauges (NaN for any it does not export).
 */
export async function scrapeMemory(url: string): Promise<RuntimeMemory> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  const read = (name: string): number => metricValue(text, name) ?? Number.NaN;
  return {
    heapUsedMB: read('statehouse_nodejs_heap_size_used_bytes') / 1e6,
    heapTotalMB: read('statehouse_nodejs_heap_size_total_bytes') / 1e6,
    externalMB: read('statehouse_nodejs_external_memory_bytes') / 1e6,
    inboxMessages: read('statehouse_inbox_messages'),
    inboxMB: read('statehouse_inbox_bytes') / 1e6,
    invocationsInFlight: read('statehouse_invocations_in_flight'),
  };
}
