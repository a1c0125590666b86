/**
 * What every runtime workload shares: a fresh runtime (own data dir) in front of a running function service,
 * ingress calls through an undici Pool, and CPU/RSS accounting of the runtime and the service over the
 * measurement window.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { moduleYaml } from '@statehouse/testkit';
import type { Pool } from 'undici';

import { CART, COUNTER_EGRESS } from '../names.js';
import {
  clockTicksPerSecond,
  cpuTicks,
  makeTempDir,
  RssSampler,
  startRuntime,
  type RuntimeHandle,
  type ServiceHandle,
} from '../processes.js';
import { postIngressStatus } from './ingress-status.js';

/** The module of the runtime workloads: `bench/*` and `example/*` served by one function service. */
export function benchModule(serviceUrl: string): string {
  return moduleYaml({
    endpoints: [
      { functions: 'bench/*', urlPathTemplate: `${serviceUrl}/statefun` },
      { functions: 'example/*', urlPathTemplate: `${serviceUrl}/statefun` },
    ],
    logEgresses: [COUNTER_EGRESS, CART.egress, CART.ordersEgress],
  });
}

/**
 * Starts a runtime on a new data dir in front of `service`, runs `fn`, then stops the runtime and removes
 * its data dir (also when `fn` throws).
 *
 * @param module - the module.yaml text. @default {@link benchModule} of the service
 * @returns what `fn` returns.
 */
export async function withRuntime<T>(
  service: ServiceHandle,
  fn: (runtime: RuntimeHandle) => Promise<T>,
  module: string = benchModule(service.url),
): Promise<T> {
  const workDir = await makeTempDir();
  const runtime = await startRuntime({
    moduleYaml: module,
    dataDir: join(workDir, 'data'),
    workDir,
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** What an ingress POST answered. */
export type IngressOutcome = 'ok' | 'rejected';

/**
 * POSTs one ingress message.
 *
 * @returns `ok` on 202, `rejected` on 503 (inbox full or stopping).
 * @throws on any other status, with the body.
 */
export async function postIngress(
  pool: Pool,
  functionType: string,
  id: string,
  typename: string,
  body: string,
): Promise<IngressOutcome> {
  const answer = await postIngressStatus(pool, functionType, id, typename, body);
  if (answer.status === 202) return 'ok';
  if (answer.status === 503) return 'rejected';
  throw new Error(`ingress answered ${answer.status}: ${answer.body}`);
}

/** CPU seconds used by the runtime and the service between {@link CpuWindow.open} and {@link CpuWindow.close}. */
export class CpuWindow {
  readonly #pids: readonly number[];
  #start: number[] = [];
  #end: number[] = [];

  /** @param pids - the runtime's and the service's PIDs. */
  constructor(pids: readonly number[]) {
    this.#pids = pids;
  }

  /** Reads the counters at the window's start. */
  open(): void {
    this.#start = this.#pids.map((p) => cpuTicks(p));
  }

  /** Reads the counters at the window's end. */
  close(): void {
    this.#end = this.#pids.map((p) => cpuTicks(p));
  }

  /** CPU seconds of the process at `index` (in the constructor's order) inside the window. */
  seconds(index: number): number {
    return ((this.#end[index] ?? Number.NaN) - (this.#start[index] ?? Number.NaN)) / clockTicksPerSecond();
  }
}

/** Samples the runtime's RSS (max) for the duration of a workload. */
export function sampleRss(runtime: RuntimeHandle): RssSampler {
  return new RssSampler(runtime.pid);
}

/** Bytes → MB (10^6). */
export function toMB(bytes: number): number {
  return bytes / 1e6;
}
