/**
 * Runs `statehouse run` as a real child process (the built CLI), for tests that kill it with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { RUNTIME_READY_EVENT } from '@statehouse/runtime';

/** Path of the CLI's bin script. */
export const CLI_BIN = fileURLToPath(new URL('../../cli/bin/statehouse.js', import.meta.url));

/** Options of {@link RuntimeProcess}. */
export interface RuntimeProcessOptions {
  /** module.yaml text. */
  readonly moduleYaml: string;
  /** Data directory (kept across restarts). */
  readonly dataDir: string;
  /** Extra CLI flags. */
  readonly args?: readonly string[];
  /** Port to listen on; 0 picks one (kept across restarts once picked). @default 0 */
  readonly port?: number;
  /** Extra environment variables of the child, over this process's (e.g. `NODE_OPTIONS`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** How one run of a {@link RuntimeProcess} ended. */
export interface RuntimeProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the test asked for it (`stop()`/`kill()`); false means the process ended on its own. */
  readonly requested: boolean;
}

/** A `statehouse run` child process that can be killed and restarted on the same data directory. */
export class RuntimeProcess {
  readonly #options: RuntimeProcessOptions;
  #child: ChildProcess | undefined;
  #port: number;
  #url = '';
  /** Every log line the process printed (JSON objects), across restarts. */
  readonly logs: Record<string, unknown>[] = [];
  /** Lines printed on stdout that are not JSON log lines (e.g. a crash report), across restarts. */
  readonly otherOutput: string[] = [];
  /** Everything printed on stderr, across restarts. */
  readonly stderr: string[] = [];
  /** How each run ended, across restarts. */
  readonly exits: RuntimeProcessExit[] = [];
  readonly #stopRequested = new WeakSet<ChildProcess>();

  constructor(options: RuntimeProcessOptions) {
    this.#options = options;
    this.#port = options.port ?? 0;
  }

  /** Base URL of the API. */
  get url(): string {
    return this.#url;
  }

  /** Whether the child is running (it may be paused). */
  get isRunning(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** PID of the running child. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process and waits for its `runtime.ready` log event. */
  async start(timeoutMs = 30_000): Promise<void> {
    const modulePath = join(this.#options.dataDir, '..', `module-${process.pid}-${Date.now()}.yaml`);
    await writeFile(modulePath, this.#options.moduleYaml);
    const args = [
      CLI_BIN,
      'run',
      modulePath,
      '--data-dir',
      this.#options.dataDir,
      '--listen',
      `127.0.0.1:${this.#port}`,
      ...(this.#options.args ?? []),
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.#options.env === undefined ? {} : { env: { ...process.env, ...this.#options.env } }),
    });
    this.#child = child;
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      this.stderr.push(d.toString());
    });
    child.once('exit', (code, signal) =>
      this.exits.push({ code, signal, requested: this.#stopRequested.has(child) }),
    );
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`runtime did not become ready in ${timeoutMs} ms; stderr: ${stderr.join('')}`)),
        timeoutMs,
      );
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          this.otherOutput.push(line);
          return;
        }
        this.logs.push(entry);
        if (entry['event'] === RUNTIME_READY_EVENT) {
          clearTimeout(timer);
          this.#url = String(entry['url']);
          this.#port = Number(new URL(this.#url).port);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`runtime exited with code ${code} before it was ready; stderr: ${stderr.join('')}`));
      });
    });
    await ready;
  }

  /** Sends a signal and waits for the process to exit. @returns its exit code (null when killed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    this.#stopRequested.add(child);
    child.kill(signal);
    const code = await exited;
    this.#child = undefined;
    return code;
  }

  /** Freezes the process (SIGSTOP), e.g. to let its leases expire. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Thaws a paused process (SIGCONT). */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Kills with SIGKILL. */
  kill(): Promise<number | null> {
    return this.stop('SIGKILL');
  }
}
