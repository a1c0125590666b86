/**
 * Child processes of the bench (the runtime CLI and the function services), their cleanup, and what
 * `/proc` says about them (CPU ticks, RSS).
 */
import { freePort } from '@statehouse/testkit';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLI_BIN } from '@statehouse/testkit';
import { request } from 'undici';

import { now, sleep } from './load.js';

/** Which SDK a function service is written with. */
export type Flavour = 'ours' | 'official';

const SERVICES_DIR = fileURLToPath(new URL('./services/', import.meta.url));
const LOG_TAIL_LINES = 40;

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
/** CPU ticks of children that already exited, for the contention estimate. */
let finishedChildTicks = 0;

/**
 * Kills every child still running (SIGKILL, by PID) and removes every temp dir. Synchronous, so it can run in
 * an `exit` handler.
 */
export function cleanupEverything(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * Creates a temp dir that {@link cleanupEverything} removes.
 *
 * @param prefix - name prefix.
 * @returns its path.
 */
export async function makeTempDir(prefix = 'statehouse-bench-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

let clkTck: number | undefined;

/** `getconf CLK_TCK` (100 on Linux), read once. */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/**
 * utime + stime of a process in clock ticks, from `/proc/<pid>/stat`.
 *
 * @param pid - the process.
 * @returns the ticks, or NaN when the process is gone.
 */
export function cpuTicks(pid: number | 'self'): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/**
 * utime and stime of a process in clock ticks, from `/proc/<pid>/stat`.
 *
 * @param pid - the process.
 * @returns the ticks, NaN each when the process is gone.
 */
export function cpuTimes(pid: number | 'self'): { readonly user: number; readonly system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/**
 * Resident set size of a process, from `/proc/<pid>/status` VmRSS.
 *
 * @param pid - the process.
 * @returns bytes, or NaN when the process is gone.
 */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? Number.NaN : Number(m[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU ticks of the whole machine (all cores), from the first line of `/proc/stat`. */
export function systemBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

/** CPU ticks used so far by the bench process and every child it started (running or exited). */
export function ownTicks(): number {
  let ticks = cpuTicks('self') + finishedChildTicks;
  for (const child of children) {
    const t = child.pid === undefined ? Number.NaN : cpuTicks(child.pid);
    if (!Number.isNaN(t)) ticks += t;
  }
  return ticks;
}

/** Samples the RSS of a process every `intervalMs` and keeps the maximum. */
export class RssSampler {
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  #max = 0;

  /**
   * Starts sampling at once.
   *
   * @param pid - the process.
   * @param intervalMs - sampling period. @default 100
   */
  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample now. */
  sample(): void {
    const rss = rssBytes(this.#pid);
    if (rss > this.#max) this.#max = rss;
  }

  /** Stops sampling. @returns the largest RSS seen, in bytes. */
  stop(): number {
    this.sample();
    clearInterval(this.#timer);
    return this.#max;
  }
}

/** A running child process with a bounded tail of its output. */
export interface ChildHandle {
  readonly pid: number;
  /** The last lines it printed (stdout and stderr). */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

function track(child: ChildProcess, what: string): ChildHandle & { exited: Promise<number | null> } {
  if (child.pid === undefined) throw new Error(`${what} could not be started`);
  const pid = child.pid;
  children.add(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let lastTicks = 0;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      finishedChildTicks += lastTicks;
      resolve(code);
    }),
  );
  return {
    pid,
    exited,
    logTail: () => tail.join('\n'),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const t = cpuTicks(pid);
      if (!Number.isNaN(t)) lastTicks = t;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

let runtimeNodeArgs: readonly string[] = [];

/**
 * Node flags for every runtime started from now on, e.g. `['--cpu-prof', '--cpu-prof-dir', dir]`.
 *
 * @param args - flags placed before the CLI script.
 */
export function setRuntimeNodeArgs(args: readonly string[]): void {
  runtimeNodeArgs = [...args];
}

/** A started runtime (`statehouse run`). */
export interface RuntimeHandle extends ChildHandle {
  readonly url: string;
  /** Milliseconds from spawn to the first `/readyz` 200. */
  readonly readyMs: number;
}

/** Options of {@link startRuntime}. */
export interface StartRuntimeOptions {
  /** module.yaml text. */
  readonly moduleYaml: string;
  /** The data directory (SQLite store). */
  readonly dataDir: string;
  /** Where module.yaml is written. */
  readonly workDir: string;
  /** Give up waiting for `/readyz` after this long. @default 60000 */
  readonly readyTimeoutMs?: number;
  /** More CLI flags, e.g. `['--store', url, '--node-id', 'n1']`. */
  readonly extraArgs?: readonly string[];
}

/**
 * Spawns the built CLI (`statehouse run … --log-level warn`) on a free loopback port and polls `/readyz`
 * until it answers 200 (at warn level the "runtime ready" line is not printed).
 *
 * @param options - module, data dir and timeout.
 * @returns the running runtime and the time it took to become ready.
 * @throws when it exits or is not ready in time (with the tail of its log).
 */
export async function startRuntime(options: StartRuntimeOptions): Promise<RuntimeHandle> {
  const modulePath = join(options.workDir, 'module.yaml');
  await writeFile(modulePath, options.moduleYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ...runtimeNodeArgs,
    CLI_BIN,
    'run',
    modulePath,
    '--data-dir',
    options.dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--log-level',
    'warn',
    ...(options.extraArgs ?? []),
  ];
  const spawned = now();
  const handle = track(
    spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
    'statehouse run',
  );
  let hasExited = false;
  void handle.exited.then(() => (hasExited = true));
  const deadline = spawned + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) throw new Error(`statehouse run exited before it was ready:\n${handle.logTail()}`);
    try {
      const res = await request(`${url}/readyz`, { method: 'GET' });
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // Not listening yet.
    }
    if (now() > deadline) {
      await handle.stop(1_000);
      throw new Error(
        `statehouse run was not ready after ${options.readyTimeoutMs ?? 60_000} ms:\n${handle.logTail()}`,
      );
    }
    await sleep(5);
  }
  return { ...handle, url, readyMs: now() - spawned };
}

/** A started function service. */
export interface ServiceHandle extends ChildHandle {
  readonly flavour: Flavour;
  /** Base URL, without a trailing slash. */
  readonly url: string;
}

/**
 * Starts the function service of one flavour (`bench/src/services/<flavour>.ts` under tsx) on a free
 * loopback port; it prints `{"url": …}` once listening.
 *
 * @param flavour - which SDK.
 * @returns the running service.
 */
export async function startService(flavour: Flavour): Promise<ServiceHandle> {
  return { ...(await startServiceScript(flavour)), flavour };
}

/**
 * Starts `bench/src/services/<name>.ts` under tsx; it prints `{"url": …}` once listening.
 *
 * @param name - the script's name without `.ts` (a flavour, or `failing`).
 * @returns the running service and its URL.
 */
export async function startServiceScript(name: string): Promise<ChildHandle & { readonly url: string }> {
  const script = join(SERVICES_DIR, `${name}.ts`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = track(child, `function service ${name}`);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`function service ${name} did not start:\n${handle.logTail()}`)),
      30_000,
    );
    const onData = (chunk: Buffer): void => {
      const m = /\{"url":"([^"]+)"\}/.exec(chunk.toString('utf8'));
      if (m !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    void handle.exited.then(() => reject(new Error(`function service ${name} exited:\n${handle.logTail()}`)));
  });
  return { ...handle, url };
}

export { freePort };
