/**
 * soak: the counter workload for a long time (20 minutes by default) with the counter egress kept for one
 * minute (`retention: {maxAge: 1 min}`). Every 10 s it samples the store's size on disk (database + WAL),
 * the runtime's RSS, the records the egress keeps and the throughput of the last interval. Storage must stay
 * bounded: after the first minutes the size and RSS stay flat and throughput does not drift down.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

import { metricValue, moduleYaml, seededRandom } from '@statehouse/testkit';
import { Pool, request } from 'undici';

import { now, runClosedLoop } from '../load.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import { makeTempDir, rssBytes, startRuntime, type ServiceHandle } from '../processes.js';
import { COUNTER_KEYS } from './counter.js';
import { postIngress, toMB } from './session.js';

/** One sample of a soak run. */
export interface SoakSample {
  /** Seconds since the load started. */
  readonly atSeconds: number;
  /** Database + WAL, MB. */
  readonly storeMB: number;
  readonly rssMB: number;
  /** Records the counter egress keeps. */
  readonly retainedRecords: number;
  /** Egress records committed per second over the last interval. */
  readonly perSecond: number;
}

/** What a soak run measured. */
export interface SoakResult {
  readonly minutes: number;
  readonly concurrency: number;
  readonly samples: readonly SoakSample[];
  readonly rejected: number;
  readonly errors: number;
}

/** Settings of a soak run. */
export interface SoakOptions {
  /** @default 20 */
  readonly minutes?: number;
  /** @default 16 */
  readonly concurrency?: number;
  /** @default 10000 */
  readonly sampleEveryMs?: number;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Runs the soak workload on a fresh runtime.
 *
 * @returns the samples, one per interval.
 */
export async function runSoak(service: ServiceHandle, options: SoakOptions = {}): Promise<SoakResult> {
  const minutes = options.minutes ?? 20;
  const concurrency = options.concurrency ?? 16;
  const sampleEveryMs = options.sampleEveryMs ?? 10_000;
  const workDir = await makeTempDir();
  const dataDir = join(workDir, 'data');
  const module = moduleYaml({
    endpoints: [{ functions: 'bench/*', urlPathTemplate: `${service.url}/statefun` }],
  });
  const runtime = await startRuntime({
    moduleYaml: `${module}---\nkind: io.statehouse.egress.v1/log\nspec:\n  id: ${COUNTER_EGRESS}\n  retention: {maxAge: 1 min}\n`,
    dataDir,
    workDir,
  });
  const pool = new Pool(runtime.url, { connections: concurrency, keepAliveTimeout: 60_000 });
  const random = seededRandom(7);
  const samples: SoakSample[] = [];
  const started = now();
  let lastRecords = 0;
  let lastAt = started;
  const sample = async (): Promise<void> => {
    const res = await request(`${runtime.url}/metrics`);
    const text = await res.body.text();
    const records = metricValue(text, 'statehouse_egress_records_total', { egress: COUNTER_EGRESS }) ?? 0;
    const at = now();
    samples.push({
      atSeconds: Math.round((at - started) / 1000),
      storeMB: toMB(
        fileBytes(join(dataDir, 'statehouse.db')) + fileBytes(join(dataDir, 'statehouse.db-wal')),
      ),
      rssMB: toMB(rssBytes(runtime.pid)),
      retainedRecords:
        metricValue(text, 'statehouse_egress_retained_records', { egress: COUNTER_EGRESS }) ?? 0,
      perSecond: (records - lastRecords) / ((at - lastAt) / 1000),
    });
    lastRecords = records;
    lastAt = at;
  };
  const timer = setInterval(() => void sample().catch(() => undefined), sampleEveryMs);
  try {
    const loop = await runClosedLoop({
      concurrency,
      warmupMs: 0,
      durationMs: minutes * 60_000,
      operation: () =>
        postIngress(
          pool,
          COUNTER_TYPE,
          `k${Math.floor(random() * COUNTER_KEYS)}`,
          INCREMENT_TYPENAME,
          JSON.stringify({ seq: 0, sentAt: now() }),
        ),
    });
    return { minutes, concurrency, samples, rejected: loop.rejected, errors: loop.errors };
  } finally {
    clearInterval(timer);
    await pool.close();
    await runtime.stop();
  }
}

/** A Markdown table of the samples, one row per minute, and a verdict line. */
export function formatSoak(result: SoakResult): string {
  const perMinute = result.samples.filter(
    (s, i) => i === 0 || Math.floor(s.atSeconds / 60) !== Math.floor(result.samples[i - 1]!.atSeconds / 60),
  );
  const rows = perMinute.map(
    (s) =>
      `| ${(s.atSeconds / 60).toFixed(1)} | ${s.storeMB.toFixed(1)} | ${s.rssMB.toFixed(0)} | ${s.retainedRecords} | ${s.perSecond.toFixed(0)} |`,
  );
  const after = result.samples.filter((s) => s.atSeconds >= 180);
  const max = (xs: number[]): number => Math.max(...xs);
  const min = (xs: number[]): number => Math.min(...xs);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const fifth = Math.max(1, Math.floor(after.length / 4));
  const early = mean(after.slice(0, fifth).map((s) => s.perSecond));
  const late = mean(after.slice(-fifth).map((s) => s.perSecond));
  const summary =
    after.length === 0
      ? 'run shorter than 3 minutes: no verdict'
      : `after minute 3: store ${min(after.map((s) => s.storeMB)).toFixed(1)}-${max(after.map((s) => s.storeMB)).toFixed(1)} MB, ` +
        `RSS ${min(after.map((s) => s.rssMB)).toFixed(0)}-${max(after.map((s) => s.rssMB)).toFixed(0)} MB, ` +
        `throughput ${early.toFixed(0)} msg/s early vs ${late.toFixed(0)} msg/s late (${((late / early - 1) * 100).toFixed(1)} %)`;
  return [
    `soak: counter c=${result.concurrency}, ${result.minutes} min, egress retention 1 min; rejected ${result.rejected}, errors ${result.errors}`,
    '',
    '| minute | store MB (db+wal) | runtime RSS MB | egress records kept | msg/s (last 10 s) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    summary,
  ].join('\n');
}
