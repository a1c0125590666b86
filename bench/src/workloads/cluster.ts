/**
 * cluster: the counter workload against 1, 2 and 3 runtime processes sharing one PostgreSQL (started here,
 * embedded), requests spread round-robin over the processes; and failover: the time from SIGKILL of one of
 * three processes until the survivors own every key group; and recovery: the worst delivery delay of messages
 * accepted around each fault kind (cluster-recovery.ts). On 2 cores everything competes for CPU, so the rows
 * also report CPU per message (all runtime processes together) and commit sizes.
 */
import { startPostgres, metricValue, type TestPostgres } from '@statehouse/testkit';
import { Pool, request } from 'undici';

import { EgressFollower } from '../egress-follower.js';
import type { LatencySummary } from '../histogram.js';
import { now, runClosedLoop, sleep } from '../load.js';
import { MessageTracker } from '../message-tracker.js';
import { COUNTER_EGRESS, COUNTER_TYPE, INCREMENT_TYPENAME } from '../names.js';
import {
  clockTicksPerSecond,
  cpuTicks,
  makeTempDir,
  startRuntime,
  type RuntimeHandle,
  type ServiceHandle,
} from '../processes.js';
import type { Profile } from '../profile.js';
import { measureDelivery, type DeliveryResult } from './cluster-recovery.js';
import { trackCounterEgress, COUNTER_KEYS } from './counter.js';
import { benchModule, postIngress } from './session.js';

const KEY_GROUPS = 256;
/** The runtime's default `--lease-timeout-ms`. */
const DEFAULT_LEASE_MS = 10_000;
/** The lease of the fault runs, so they run fast. */
const SHORT_LEASE_MS = 3_000;
/** The faults whose delivery delay is measured, in order. */
const FAULT_KINDS = ['sigkill', 'sigkill-restart', 'sigstop', 'postgres-restart'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
/** The process the faults hit: n3. */
const VICTIM = 2;
/** SIGSTOP lasts the lease timeout plus this. */
const FREEZE_PAST_LEASE_MS = 2_000;
/** PostgreSQL stays down this long between its stop and its start. */
const POSTGRES_DOWN_MS = 3_000;

/** One cluster size's measurement. */
export interface ClusterRunResult {
  readonly processes: number;
  readonly concurrency: number;
  readonly ackPerSecond: number;
  readonly ack: LatencySummary;
  readonly e2ePerSecond: number;
  readonly e2e: LatencySummary;
  readonly runtimeCpuUsPerMessage: number;
  readonly meanEffectSetsPerCommit: number;
  readonly meanCommitMs: number;
}

/** The failover measurement. */
export interface FailoverResult {
  readonly leaseMs: number;
  /** SIGKILL → survivors own all key groups. */
  readonly takeoverMs: number;
}

/** Everything the cluster workload measured. */
export interface ClusterResult {
  readonly runs: readonly ClusterRunResult[];
  readonly failover: FailoverResult;
  /** Delivery delay after each fault kind (short lease), then after SIGKILL with the default lease. */
  readonly recovery: readonly DeliveryResult[];
}

async function owned(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  return metricValue(await res.body.text(), 'statehouse_cluster_owned_key_groups') ?? 0;
}

async function commitStats(
  urls: readonly string[],
): Promise<{ commits: number; seconds: number; sets: number }> {
  let commits = 0;
  let seconds = 0;
  let sets = 0;
  for (const url of urls) {
    const text = await (await request(`${url}/metrics`)).body.text();
    commits += metricValue(text, 'statehouse_commit_duration_seconds_count') ?? 0;
    seconds += metricValue(text, 'statehouse_commit_duration_seconds_sum') ?? 0;
    sets += metricValue(text, 'statehouse_commit_effect_sets_sum') ?? 0;
  }
  return { commits, seconds, sets };
}

/** How one process of a cluster was started, to start it again the same way. */
interface NodeSpec {
  readonly dir: string;
  readonly args: readonly string[];
}

async function startNode(service: ServiceHandle, spec: NodeSpec): Promise<RuntimeHandle> {
  return startRuntime({
    moduleYaml: benchModule(service.url),
    dataDir: spec.dir,
    workDir: spec.dir,
    extraArgs: spec.args,
  });
}

/** Processes n1…n`count` on a new database, once every one owns key groups and all 256 are owned. */
async function startCluster(
  pg: TestPostgres,
  service: ServiceHandle,
  count: number,
  leaseMs: number,
): Promise<{ nodes: RuntimeHandle[]; specs: NodeSpec[] }> {
  const url = await pg.createDatabase();
  const nodes: RuntimeHandle[] = [];
  const specs: NodeSpec[] = [];
  for (let i = 0; i < count; i++) {
    const spec = {
      dir: await makeTempDir(),
      args: ['--store', url, '--node-id', `n${i + 1}`, '--lease-timeout-ms', String(leaseMs)],
    };
    specs.push(spec);
    nodes.push(await startNode(service, spec));
  }
  const deadline = now() + 30_000;
  for (;;) {
    const counts = await Promise.all(nodes.map((n) => owned(n.url)));
    if (counts.every((c) => c > 0) && counts.reduce((a, b) => a + b, 0) === KEY_GROUPS)
      return { nodes, specs };
    if (now() > deadline) throw new Error(`the cluster did not balance: ${counts.join('/')}`);
    await sleep(100);
  }
}

async function runSize(
  pg: TestPostgres,
  service: ServiceHandle,
  profile: Profile,
  processes: number,
  concurrency: number,
): Promise<ClusterRunResult> {
  const { nodes } = await startCluster(pg, service, processes, DEFAULT_LEASE_MS);
  const pools = nodes.map(
    (n) => new Pool(n.url, { connections: Math.ceil(concurrency / processes), keepAliveTimeout: 60_000 }),
  );
  const tracker = new MessageTracker();
  const follower = new EgressFollower(nodes[0]!.url, COUNTER_EGRESS, trackCounterEgress(tracker));
  let ticksAtStart: number[] = [];
  let ticksAtEnd: number[] = [];
  let statsAtStart: Promise<{ commits: number; seconds: number; sets: number }> | undefined;
  let statsAtEnd: Promise<{ commits: number; seconds: number; sets: number }> | undefined;
  let next = 0;
  follower.start();
  try {
    const loop = await runClosedLoop({
      concurrency,
      warmupMs: profile.warmupMs,
      durationMs: profile.durationMs,
      onWindowStart: () => {
        tracker.window.start = now();
        ticksAtStart = nodes.map((n) => cpuTicks(n.pid));
        statsAtStart = commitStats(nodes.map((n) => n.url));
      },
      onWindowEnd: () => {
        tracker.window.end = now();
        ticksAtEnd = nodes.map((n) => cpuTicks(n.pid));
        statsAtEnd = commitStats(nodes.map((n) => n.url));
      },
      operation: async () => {
        const sentAt = now();
        const seq = tracker.register(sentAt);
        const pool = pools[next++ % pools.length]!;
        const outcome = await postIngress(
          pool,
          COUNTER_TYPE,
          `k${seq % COUNTER_KEYS}`,
          INCREMENT_TYPENAME,
          JSON.stringify({ seq, sentAt }),
        );
        tracker.acknowledge(seq, outcome === 'ok');
        return outcome;
      },
    });
    const drainDeadline = now() + profile.drainMs;
    while (!tracker.isWindowDrained && now() < drainDeadline && follower.error === undefined) await sleep(20);
    tracker.closeUnseen(now());
    const windowSeconds = (tracker.window.end - tracker.window.start) / 1000;
    const cpuSeconds =
      ticksAtEnd.reduce((sum, t, i) => sum + (t - ticksAtStart[i]!), 0) / clockTicksPerSecond();
    const a = (await statsAtStart)!;
    const b = (await statsAtEnd)!;
    return {
      processes,
      concurrency,
      ackPerSecond: loop.perSecond,
      ack: loop.latency.summary(),
      e2ePerSecond: tracker.egressedInWindow / windowSeconds,
      e2e: tracker.e2e.summary(),
      runtimeCpuUsPerMessage: (cpuSeconds * 1e6) / tracker.egressedInWindow,
      meanEffectSetsPerCommit: (b.sets - a.sets) / Math.max(1, b.commits - a.commits),
      meanCommitMs: ((b.seconds - a.seconds) * 1000) / Math.max(1, b.commits - a.commits),
    };
  } finally {
    await follower.stop();
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

async function runFailover(
  pg: TestPostgres,
  service: ServiceHandle,
  leaseMs: number,
): Promise<FailoverResult> {
  const { nodes } = await startCluster(pg, service, 3, leaseMs);
  try {
    const victim = nodes[2]!;
    const killedAt = now();
    process.kill(victim.pid, 'SIGKILL');
    for (;;) {
      const counts = await Promise.all(nodes.slice(0, 2).map((n) => owned(n.url)));
      if (counts[0]! + counts[1]! === KEY_GROUPS) return { leaseMs, takeoverMs: now() - killedAt };
      if (now() - killedAt > leaseMs + 30_000) throw new Error('the survivors did not take over');
      await sleep(20);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop(1_000)));
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Injects one fault into a running 3-process cluster; `excluded` holds the process while it should get no
 * ingress.
 *
 * @param restart - starts the victim again with the same `--node-id`, data dir and flags, once it exited.
 * @returns once the fault is over, with what was done and how long it took.
 */
async function injectFault(
  kind: FaultKind,
  nodes: readonly RuntimeHandle[],
  restart: () => Promise<void>,
  pg: TestPostgres,
  leaseMs: number,
  excluded: Set<number>,
): Promise<string> {
  const pid = nodes[VICTIM]!.pid;
  const name = `n${VICTIM + 1}`;
  const started = now();
  switch (kind) {
    case 'sigkill':
      excluded.add(VICTIM);
      process.kill(pid, 'SIGKILL');
      return `SIGKILL ${name}, no restart`;
    case 'sigkill-restart':
      excluded.add(VICTIM);
      process.kill(pid, 'SIGKILL');
      await restart();
      excluded.delete(VICTIM);
      return `SIGKILL ${name}, restarted with its node id (ready after ${seconds(now() - started)})`;
    case 'sigstop':
      excluded.add(VICTIM);
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(leaseMs + FREEZE_PAST_LEASE_MS);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      excluded.delete(VICTIM);
      return `SIGSTOP ${name} for ${seconds(now() - started)}, then SIGCONT`;
    case 'postgres-restart': {
      await pg.stopServer();
      const stoppedAt = now();
      await sleep(POSTGRES_DOWN_MS);
      const startingAt = now();
      await pg.startServer();
      return (
        `PostgreSQL restart: fast stop ${seconds(stoppedAt - started)}, down ${seconds(startingAt - stoppedAt)}, ` +
        `start ${seconds(now() - startingAt)}`
      );
    }
  }
}

/** A fault run on a fresh 3-process cluster (new database) with lease `leaseMs`. */
async function runFaultRecovery(
  pg: TestPostgres,
  service: ServiceHandle,
  kind: FaultKind,
  leaseMs: number,
): Promise<DeliveryResult> {
  const { nodes, specs } = await startCluster(pg, service, 3, leaseMs);
  const restart = async (): Promise<void> => {
    // Waits for the SIGKILLed process to exit: its data-dir lock is released on exit.
    await nodes[VICTIM]!.stop(0);
    nodes[VICTIM] = await startNode(service, specs[VICTIM]!);
  };
  try {
    return await measureDelivery({
      fault: kind,
      leaseMs,
      urls: () => nodes.map((n) => n.url),
      victim: VICTIM,
      inject: (excluded) => injectFault(kind, nodes, restart, pg, leaseMs, excluded),
    });
  } finally {
    // A process left frozen would ignore SIGTERM until the 1 s grace ends; resume it first.
    for (const n of nodes) {
      try {
        process.kill(n.pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
    await Promise.all(nodes.map((n) => n.stop(1_000)));
  }
}

/**
 * Runs the cluster workload: counter at c=64 with 1, 2 and 3 processes; failover with the default lease; and
 * the delivery delay after each fault kind with a {@link SHORT_LEASE_MS} lease, plus SIGKILL with the default
 * lease. Uses an embedded PostgreSQL even when `STATEHOUSE_TEST_PG_URL` names a server: one fault restarts it.
 */
export async function runCluster(service: ServiceHandle, profile: Profile): Promise<ClusterResult> {
  const pg = await startPostgres({ url: null });
  try {
    const runs: ClusterRunResult[] = [];
    for (const processes of [1, 2, 3]) runs.push(await runSize(pg, service, profile, processes, 64));
    const failover = await runFailover(pg, service, DEFAULT_LEASE_MS);
    const recovery: DeliveryResult[] = [];
    for (const kind of FAULT_KINDS) recovery.push(await runFaultRecovery(pg, service, kind, SHORT_LEASE_MS));
    recovery.push(await runFaultRecovery(pg, service, 'sigkill', DEFAULT_LEASE_MS));
    return { runs, failover, recovery };
  } finally {
    await pg.stop();
  }
}
