/**
 * kinesis: Kinesis → counter function → Kinesis, no HTTP ingress, against kinesalite (the testkit's
 * `startKinesalite()`, in memory, run in a child process of its own so that its CPU is its own). `bench-in` and
 * `bench-out` have {@link SHARDS} shards each; an `io.statefun.kinesis.v1/ingress` feeds the counter (1,000 keys,
 * the partition key is the counter's id), whose records go to an `io.statefun.kinesis.v1/egress` on `bench-out`.
 *
 * Before the runtime starts, kinesalite's own ceilings are measured on a scratch stream: PutRecords(500) alone,
 * then GetRecords alone reading those records back. Then the bench puts {@link Increment}s (PutRecords of
 * {@link PUT_BATCH}, {@link PUTTERS} requests in flight, at most {@link MAX_OUTSTANDING} records put but not yet
 * read back, so that latency measures the pipeline, not a queue the producer built), each with its put time in its
 * data, and a consumer of its own polls every shard of `bench-out` with GetRecords. End-to-end = PutRecords call →
 * the output record returned by that consumer's GetRecords; throughput = measured records ÷ (first put → last
 * record read).
 *
 * The bench talks to kinesalite over its JSON API with undici (kinesalite checks that a request is signed, not
 * the signature), so its own client costs little CPU on a 2-core box.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { seededRandom } from '@statehouse/testkit';
import { Pool } from 'undici';

import type { LatencySummary } from '../histogram.js';
import { now, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import {
  INCREMENT_TYPENAME,
  KINESIS_COUNTER_TYPE,
  KINESIS_EGRESS,
  KINESIS_IN_STREAM,
  KINESIS_OUT_STREAM,
  type CounterEvent,
  type Increment,
} from '../names.js';
import { clockTicksPerSecond, cpuTicks, type Flavour, type ServiceHandle } from '../processes.js';
import type { Profile } from '../profile.js';
import type { Row } from '../results.js';
import { COUNTER_KEYS } from './counter.js';
import { benchModule, sampleRss, toMB, withRuntime } from './session.js';

/** Shards of each stream. */
export const SHARDS = 4;
/** Records per PutRecords request of the bench (Kinesis's maximum). */
export const PUT_BATCH = 500;
/** PutRecords requests of the bench in flight. */
export const PUTTERS = 2;
/** Records put but not yet read back, at most. */
export const MAX_OUTSTANDING = 5_000;
/** Measured records: quick profile, `--full`. */
export const RECORDS = { quick: 50_000, full: 200_000 } as const;
/** Records put and read back (not measured) before the measured ones, so that connections and state are warm. */
const WARMUP_RECORDS = 2_000;
/** Records of each ceiling measurement (PutRecords alone, GetRecords alone). */
export const CEILING_RECORDS = 20_000;
/**
 * `flink.shard.getrecords.intervalmillis` of the runtime's ingress, and the same wait of the bench's consumer:
 * after a GetRecords that was not full, wait this long before the next (the connector's default is 200).
 */
export const READ_INTERVAL_MS = 50;
/** Records per GetRecords (Kinesis's maximum; the ingress's default `flink.shard.getrecords.maxrecordcount`). */
const GET_LIMIT = 10_000;
const SCRATCH_STREAM = 'bench-scratch';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** kinesalite's throughput alone (no runtime), records/s. */
export interface KinesaliteCeilings {
  /** PutRecords of {@link PUT_BATCH} records, {@link PUTTERS} in flight, into a {@link SHARDS}-shard stream. */
  readonly putPerSecond: number;
  /** GetRecords (limit 10,000) of every shard at once, reading those records back. */
  readonly getPerSecond: number;
  /** kinesalite's CPU per record put / read there, µs. */
  readonly putCpuUsPerRecord: number;
  readonly getCpuUsPerRecord: number;
  /**
   * What kinesalite allows the pipeline, records/s: each record is put twice (bench-in, bench-out) and read twice
   * (by the runtime, by the consumer), so 1 ÷ (2 ÷ put + 2 ÷ get).
   */
  readonly pipelineBoundPerSecond: number;
}

/** What one Kinesis run measured. */
export interface KinesisResult {
  readonly records: number;
  readonly ceilings: KinesaliteCeilings;
  /** First put → last record read, s. */
  readonly elapsedSeconds: number;
  /** Measured records read back ÷ {@link KinesisResult.elapsedSeconds}. */
  readonly e2ePerSecond: number;
  /** Measured records put (accepted by PutRecords) ÷ (first put → last put). */
  readonly putPerSecond: number;
  readonly e2e: LatencySummary;
  /** Measured records never read back within the drain wait (their latency counts as a lower bound). */
  readonly undrained: number;
  readonly duplicates: number;
  /** Records PutRecords refused and the bench put again. */
  readonly putRetries: number;
  readonly runtimeCpuUsPerRecord: number;
  readonly serviceCpuUsPerRecord: number;
  readonly kinesaliteCpuUsPerRecord: number;
  /** The bench's own producer and consumer. */
  readonly loadGeneratorCpuUsPerRecord: number;
  /** CPU of each process ÷ elapsed time (1 = one core busy all the time). */
  readonly runtimeCores: number;
  readonly serviceCores: number;
  readonly kinesaliteCores: number;
  readonly loadGeneratorCores: number;
  readonly runtimeRssMaxMB: number;
  /**
   * Records put and not yet read back, mean of samples every {@link SAMPLE_MS} ms from first put to last read
   * (Little: ÷ throughput ≈ mean latency; the producer keeps it near {@link MAX_OUTSTANDING} when that binds).
   */
  readonly meanOutstanding: number;
}

/** How often the outstanding records are counted, ms. */
const SAMPLE_MS = 200;

// ---------------------------------------------------------------------------------------------------------------
// kinesalite in a child process, and its JSON API.

/** Started with `node --input-type=module -e` from the repo root; prints `{"endpoint": …}` once its streams exist. */
const KINESALITE_SCRIPT = `
import { startKinesalite } from '@statehouse/testkit';
const kinesis = await startKinesalite();
for (const [name, shards] of JSON.parse(process.env.BENCH_KINESIS_STREAMS)) await kinesis.createStream(name, shards);
console.log(JSON.stringify({ endpoint: kinesis.endpoint, region: kinesis.region }));
process.on('SIGTERM', () => void kinesis.stop().finally(() => process.exit(0)));
`;

interface KinesaliteProcess {
  readonly pid: number;
  readonly endpoint: string;
  readonly region: string;
  stop(): Promise<void>;
}

async function startKinesaliteProcess(
  streams: readonly (readonly [string, number])[],
): Promise<KinesaliteProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', KINESALITE_SCRIPT], {
    cwd: REPO,
    env: { ...process.env, BENCH_KINESIS_STREAMS: JSON.stringify(streams) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('kinesalite could not be started');
  const pid = child.pid;
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const started = await new Promise<{ endpoint: string; region: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kinesalite did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
      const m = /\{"endpoint":"([^"]+)","region":"([^"]+)"\}/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ endpoint: m[1]!, region: m[2]! });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4_000)));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`kinesalite exited:\n${output}`));
    });
  });
  return {
    pid,
    ...started,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A record of a GetRecords answer (JSON protocol: data in base64). */
interface WireRecord {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly SequenceNumber: string;
}

/** Kinesis's JSON API over undici, signed with access key `test` (kinesalite checks the form, not the signature). */
class KinesisApi {
  readonly #pool: Pool;
  readonly #authorization: string;

  constructor(endpoint: string, region: string) {
    this.#pool = new Pool(endpoint, { connections: 16, pipelining: 1 });
    this.#authorization =
      `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/kinesis/aws4_request, ` +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0';
  }

  async call<T>(operation: string, body: unknown): Promise<T> {
    const res = await this.#pool.request({
      path: '/',
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Kinesis_20131202.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization: this.#authorization,
      },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200)
      throw new Error(`${operation} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async shardIds(stream: string): Promise<string[]> {
    const out = await this.call<{ Shards: { ShardId: string }[] }>('ListShards', { StreamName: stream });
    return out.Shards.map((s) => s.ShardId);
  }

  /** Puts the entries, again those refused, until all are in. @returns how many were refused on the way. */
  async putRecords(stream: string, entries: readonly { key: string; data: string }[]): Promise<number> {
    let pending = entries.map((e) => ({
      PartitionKey: e.key,
      Data: Buffer.from(e.data, 'utf8').toString('base64'),
    }));
    let refused = 0;
    while (pending.length > 0) {
      const out = await this.call<{ Records: { ErrorCode?: string }[] }>('PutRecords', {
        StreamName: stream,
        Records: pending,
      });
      const again = pending.filter((_, i) => out.Records[i]?.ErrorCode !== undefined);
      refused += again.length;
      if (again.length > 0) await sleep(10);
      pending = again;
    }
    return refused;
  }

  async iterator(stream: string, shardId: string): Promise<string> {
    const out = await this.call<{ ShardIterator: string }>('GetShardIterator', {
      StreamName: stream,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    });
    return out.ShardIterator;
  }

  async getRecords(iterator: string): Promise<{ records: WireRecord[]; next: string | undefined }> {
    const out = await this.call<{ Records: WireRecord[]; NextShardIterator?: string }>('GetRecords', {
      ShardIterator: iterator,
      Limit: GET_LIMIT,
    });
    return { records: out.Records, next: out.NextShardIterator };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kinesalite's ceilings.

/** CPU seconds of `pid` between two readings of {@link cpuTicks}. */
function cpuSecondsSince(pid: number, ticksAtStart: number): number {
  return (cpuTicks(pid) - ticksAtStart) / clockTicksPerSecond();
}

/** PutRecords alone into the scratch stream, then GetRecords alone reading it back. */
async function measureCeilings(api: KinesisApi, kinesalitePid: number): Promise<KinesaliteCeilings> {
  const random = seededRandom(11);
  const payload = (i: number): string => JSON.stringify({ seq: i, sentAt: 123_456.789 });
  let next = 0;
  const putTicks = cpuTicks(kinesalitePid);
  const putStart = now();
  await Promise.all(
    Array.from({ length: PUTTERS }, async () => {
      while (next < CEILING_RECORDS) {
        const entries = [];
        for (let i = 0; i < PUT_BATCH && next < CEILING_RECORDS; i++, next++)
          entries.push({ key: `k${Math.floor(random() * COUNTER_KEYS)}`, data: payload(next) });
        await api.putRecords(SCRATCH_STREAM, entries);
      }
    }),
  );
  const putSeconds = (now() - putStart) / 1000;
  const putCpu = cpuSecondsSince(kinesalitePid, putTicks);

  const shards = await api.shardIds(SCRATCH_STREAM);
  const iterators = await Promise.all(shards.map((s) => api.iterator(SCRATCH_STREAM, s)));
  let read = 0;
  const getTicks = cpuTicks(kinesalitePid);
  const getStart = now();
  await Promise.all(
    iterators.map(async (first) => {
      let iterator: string | undefined = first;
      while (iterator !== undefined) {
        const { records, next: after } = await api.getRecords(iterator);
        if (records.length === 0) break;
        read += records.length;
        iterator = after;
      }
    }),
  );
  const getSeconds = (now() - getStart) / 1000;
  const getCpu = cpuSecondsSince(kinesalitePid, getTicks);
  if (read !== CEILING_RECORDS) throw new Error(`read back ${read} of ${CEILING_RECORDS} scratch records`);
  const putPerSecond = CEILING_RECORDS / putSeconds;
  const getPerSecond = CEILING_RECORDS / getSeconds;
  return {
    putPerSecond,
    getPerSecond,
    putCpuUsPerRecord: (putCpu / CEILING_RECORDS) * 1e6,
    getCpuUsPerRecord: (getCpu / CEILING_RECORDS) * 1e6,
    pipelineBoundPerSecond: 1 / (2 / putPerSecond + 2 / getPerSecond),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The pipeline.

/** The module: the bench's endpoints plus the Kinesis ingress and egress on kinesalite. */
function kinesisModule(serviceUrl: string, endpoint: string, region: string): string {
  const access = [
    '  awsRegion:',
    '    type: custom-endpoint',
    `    endpoint: ${endpoint}`,
    `    id: ${region}`,
    '  awsCredentials:',
    '    type: basic',
    '    accessKeyId: test',
    '    secretAccessKey: test',
  ];
  const kinesis = [
    'kind: io.statefun.kinesis.v1/ingress',
    'spec:',
    '  id: bench/kinesis-in',
    ...access,
    '  startupPosition:',
    '    type: earliest',
    '  streams:',
    `    - stream: ${KINESIS_IN_STREAM}`,
    `      valueType: ${INCREMENT_TYPENAME}`,
    `      targets: [${KINESIS_COUNTER_TYPE}]`,
    '  clientConfigProperties:',
    `    - flink.shard.getrecords.intervalmillis: ${READ_INTERVAL_MS}`,
    '---',
    'kind: io.statefun.kinesis.v1/egress',
    'spec:',
    `  id: ${KINESIS_EGRESS}`,
    ...access,
  ].join('\n');
  return `${benchModule(serviceUrl).trimEnd()}\n---\n${kinesis}\n`;
}

/**
 * Polls every shard of `bench-out` from its start, as a consumer would: GetRecords, and after one that was not
 * full, {@link READ_INTERVAL_MS} before the next; each record read goes to the tracker with the time its answer
 * arrived.
 *
 * @returns a function that stops the polling and resolves once every shard loop ended.
 */
async function startConsumer(api: KinesisApi, tracker: MessageTracker): Promise<() => Promise<void>> {
  let isStopping = false;
  const shards = await api.shardIds(KINESIS_OUT_STREAM);
  const loops = await Promise.all(
    shards.map(async (shardId) => {
      let iterator: string | undefined = await api.iterator(KINESIS_OUT_STREAM, shardId);
      return async (): Promise<void> => {
        while (!isStopping && iterator !== undefined) {
          let records: WireRecord[];
          try {
            const answer = await api.getRecords(iterator);
            records = answer.records;
            iterator = answer.next;
          } catch {
            await sleep(100);
            continue;
          }
          const at = now();
          for (const r of records) {
            const event = JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8')) as CounterEvent;
            tracker.observe(event.seq, event.sentAt, at);
          }
          if (records.length < GET_LIMIT) await sleep(READ_INTERVAL_MS);
        }
      };
    }),
  );
  const running = Promise.all(loops.map((loop) => loop()));
  return async () => {
    isStopping = true;
    await running;
  };
}

/**
 * Puts `count` records from {@link PUTTERS} loops, each batch only while fewer than {@link MAX_OUTSTANDING}
 * records are outstanding.
 *
 * @returns records PutRecords refused (and that were put again).
 */
async function putIncrements(
  api: KinesisApi,
  tracker: MessageTracker,
  count: number,
  random: () => number,
): Promise<number> {
  let left = count;
  let refused = 0;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      if (tracker.outstanding + PUT_BATCH > MAX_OUTSTANDING) {
        await sleep(1);
        continue;
      }
      const n = Math.min(PUT_BATCH, left);
      left -= n;
      const entries: { key: string; data: string }[] = [];
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) {
        const sentAt = now();
        const seq = tracker.register(sentAt);
        const increment: Increment = { seq, sentAt };
        seqs.push(seq);
        entries.push({ key: `k${Math.floor(random() * COUNTER_KEYS)}`, data: JSON.stringify(increment) });
      }
      refused += await api.putRecords(KINESIS_IN_STREAM, entries);
      for (const seq of seqs) tracker.acknowledge(seq, true);
    }
  };
  await Promise.all(Array.from({ length: PUTTERS }, worker));
  return refused;
}

/**
 * Counts the outstanding records every {@link SAMPLE_MS} ms.
 *
 * @returns a function that stops counting and returns their mean.
 */
function sampleOutstanding(tracker: MessageTracker): () => number {
  let sum = 0;
  let samples = 0;
  const timer = setInterval(() => {
    sum += tracker.outstanding;
    samples += 1;
  }, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    return samples === 0 ? Number.NaN : sum / samples;
  };
}

/**
 * Runs the Kinesis workload on a fresh kinesalite and a fresh runtime.
 *
 * @param service - the running function service (ours: it has the Kinesis counter).
 * @param profile - the profile (how many records, how long to wait for the last ones).
 * @returns the measurements.
 */
export async function runKinesis(service: ServiceHandle, profile: Profile): Promise<KinesisResult> {
  const records = RECORDS[profile.name];
  const kinesalite = await startKinesaliteProcess([
    [KINESIS_IN_STREAM, SHARDS],
    [KINESIS_OUT_STREAM, SHARDS],
    [SCRATCH_STREAM, SHARDS],
  ]);
  const api = new KinesisApi(kinesalite.endpoint, kinesalite.region);
  try {
    const ceilings = await measureCeilings(api, kinesalite.pid);
    return await withRuntime(
      service,
      async (runtime) => {
        const tracker = new MessageTracker();
        const stopConsumer = await startConsumer(api, tracker);
        const rss = sampleRss(runtime);
        try {
          const random = seededRandom(7);
          await putIncrements(api, tracker, WARMUP_RECORDS, random);
          const warmDeadline = now() + 60_000;
          while (tracker.outstanding > 0 && now() < warmDeadline) await sleep(10);
          if (tracker.outstanding > 0)
            throw new Error(
              `warm-up: ${tracker.outstanding} records never came out of ${KINESIS_OUT_STREAM}`,
            );

          const pids = [runtime.pid, service.pid, kinesalite.pid];
          const ticksAtStart = pids.map(cpuTicks);
          const ownAtStart = process.cpuUsage();
          const start = now();
          tracker.window.start = start;
          const stopSampling = sampleOutstanding(tracker);
          const putRetries = await putIncrements(api, tracker, records, random);
          const lastPut = now();
          const drainDeadline = lastPut + Math.max(profile.drainMs, 30_000);
          while (!tracker.isWindowDrained && now() < drainDeadline) await sleep(5);
          const end = tracker.isWindowDrained ? tracker.lastEgressAt : now();
          const cpu = pids.map((pid, i) => (cpuTicks(pid) - ticksAtStart[i]!) / clockTicksPerSecond());
          const own = process.cpuUsage(ownAtStart);
          const ownSeconds = (own.user + own.system) / 1e6;
          const meanOutstanding = stopSampling();
          const undrained = tracker.closeUnseen(now());
          const read = tracker.egressedOfWindow;
          if (read === 0) throw new Error('no record came out of the pipeline');
          const elapsedSeconds = (end - start) / 1000;
          const perRecord = (seconds: number): number => (seconds / read) * 1e6;
          return {
            records,
            ceilings,
            elapsedSeconds,
            e2ePerSecond: read / elapsedSeconds,
            putPerSecond: tracker.acceptedOfWindow / ((lastPut - start) / 1000),
            e2e: tracker.e2e.summary(),
            undrained,
            duplicates: tracker.duplicates,
            putRetries,
            runtimeCpuUsPerRecord: perRecord(cpu[0]!),
            serviceCpuUsPerRecord: perRecord(cpu[1]!),
            kinesaliteCpuUsPerRecord: perRecord(cpu[2]!),
            loadGeneratorCpuUsPerRecord: perRecord(ownSeconds),
            runtimeCores: cpu[0]! / elapsedSeconds,
            serviceCores: cpu[1]! / elapsedSeconds,
            kinesaliteCores: cpu[2]! / elapsedSeconds,
            loadGeneratorCores: ownSeconds / elapsedSeconds,
            runtimeRssMaxMB: toMB(rss.stop()),
            meanOutstanding,
          };
        } finally {
          rss.stop();
          await stopConsumer();
        }
      },
      kinesisModule(service.url, kinesalite.endpoint, kinesalite.region),
    );
  } finally {
    await api.close().catch(() => undefined);
    await kinesalite.stop();
  }
}

/** Rows of one Kinesis run; the throughput row's ceiling is what kinesalite allows the pipeline. */
export function kinesisRows(flavour: Flavour, r: KinesisResult): Row[] {
  const workload = 'kinesis → counter → kinesis';
  const alone = 'kinesalite alone';
  const isLowerBound = r.undrained > 0;
  const c = r.ceilings;
  return [
    {
      workload: alone,
      flavour: '-',
      metric: `PutRecords(${PUT_BATCH}) records/s`,
      value: c.putPerSecond,
      unit: 'msg/s',
    },
    { workload: alone, flavour: '-', metric: 'GetRecords records/s', value: c.getPerSecond, unit: 'msg/s' },
    {
      workload: alone,
      flavour: '-',
      metric: 'CPU per record put',
      value: c.putCpuUsPerRecord,
      unit: 'µs/msg',
    },
    {
      workload: alone,
      flavour: '-',
      metric: 'CPU per record read',
      value: c.getCpuUsPerRecord,
      unit: 'µs/msg',
    },
    {
      workload: alone,
      flavour: '-',
      metric: 'pipeline bound 1 ÷ (2/put + 2/get)',
      value: c.pipelineBoundPerSecond,
      unit: 'msg/s',
    },
    {
      workload,
      flavour,
      metric: 'e2e throughput (first put → last read)',
      value: r.e2ePerSecond,
      unit: 'msg/s',
      ceiling: c.pipelineBoundPerSecond,
    },
    { workload, flavour, metric: 'put (PutRecords accepted)', value: r.putPerSecond, unit: 'msg/s' },
    { workload, flavour, metric: 'e2e p50', value: r.e2e.p50, unit: 'ms', isLowerBound },
    { workload, flavour, metric: 'e2e p99', value: r.e2e.p99, unit: 'ms', isLowerBound },
    { workload, flavour, metric: 'records not read back', value: r.undrained, unit: 'msgs' },
    { workload, flavour, metric: 'duplicates read', value: r.duplicates, unit: 'msgs' },
    { workload, flavour, metric: 'runtime CPU per record', value: r.runtimeCpuUsPerRecord, unit: 'µs/msg' },
    { workload, flavour, metric: 'service CPU per record', value: r.serviceCpuUsPerRecord, unit: 'µs/msg' },
    {
      workload,
      flavour,
      metric: 'kinesalite CPU per record',
      value: r.kinesaliteCpuUsPerRecord,
      unit: 'µs/msg',
    },
    {
      workload,
      flavour,
      metric: 'load generator CPU per record',
      value: r.loadGeneratorCpuUsPerRecord,
      unit: 'µs/msg',
    },
    { workload, flavour, metric: 'runtime busy', value: r.runtimeCores * 100, unit: '%' },
    { workload, flavour, metric: 'service busy', value: r.serviceCores * 100, unit: '%' },
    { workload, flavour, metric: 'kinesalite busy', value: r.kinesaliteCores * 100, unit: '%' },
    { workload, flavour, metric: 'load generator busy', value: r.loadGeneratorCores * 100, unit: '%' },
    { workload, flavour, metric: 'runtime RSS (max)', value: r.runtimeRssMaxMB, unit: 'MB' },
    { workload, flavour, metric: 'records outstanding (mean)', value: r.meanOutstanding, unit: 'msgs' },
  ];
}
