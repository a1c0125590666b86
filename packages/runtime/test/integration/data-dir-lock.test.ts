/**
 * One runtime per SQLite data directory, decided by a kernel lock and never by a recorded PID: a SIGKILLed
 * runtime that is still a zombie, or an old LOCK file naming a live unrelated process, does not block a
 * restart, while a second live runtime (another process, or another runtime in this process) is refused
 * whatever the files in the directory say.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, RUNTIME_READY_EVENT } from '@statehouse/runtime';
import { CLI_BIN, RuntimeProcess, createTempDir, moduleYaml, waitFor } from '@statehouse/testkit';

// No function is ever called: the runtimes only have to start.
const MODULE_YAML = moduleYaml({
  endpoints: [{ functions: 'example/*', urlPathTemplate: 'http://127.0.0.1:1/{function.name}' }],
});
const HOLDER_FILE = 'statehouse.lock.holder';

/** The state letter of /proc/<pid>/status (`Z` for a zombie), or undefined once the process is reaped. */
function processState(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Runs `statehouse run` to its end. @returns its exit code and stderr. */
async function runCli(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A runtime that starts instead of being refused would run forever.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { status, stderr };
}

describe('the SQLite data-directory lock', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function dataDir(): Promise<{ dataDir: string; modulePath: string }> {
    const dir = await createTempDir('statehouse-lock-');
    cleanups.push(() => dir.cleanup());
    const modulePath = join(dir.path, 'module.yaml');
    await writeFile(modulePath, MODULE_YAML);
    return { dataDir: join(dir.path, 'data'), modulePath };
  }

  /**
   * Starts `statehouse run` as the child of `sleep`, which never reaps it: once killed it stays a zombie
   * (its PID still "alive" for `kill(pid, 0)`) until `sleep` is gone.
   */
  async function startUnreapedRuntime(modulePath: string, dir: string): Promise<number> {
    const args = [process.execPath, CLI_BIN, 'run', modulePath, '--data-dir', dir, '--listen', '127.0.0.1:0'];
    const parent: ChildProcess = spawn('sh', ['-c', '"$@" & echo "pid $!"; exec sleep 300', 'sh', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => parent.kill('SIGKILL'));
    let pid: number | undefined;
    let isReady = false;
    const lines = createInterface({ input: parent.stdout! });
    lines.on('line', (line) => {
      const match = /^pid (\d+)$/.exec(line);
      if (match !== null) {
        pid = Number(match[1]);
        cleanups.push(() => {
          if (processState(pid!) !== undefined) process.kill(pid!, 'SIGKILL');
        });
      } else if (line.startsWith('{')) {
        const entry = JSON.parse(line) as { event?: unknown };
        if (entry.event === RUNTIME_READY_EVENT) isReady = true;
      }
    });
    return waitFor('the unreaped runtime to be ready', () => isReady && pid);
  }

  it('starts at once on a directory whose runtime was SIGKILLed and is still a zombie', async () => {
    const { dataDir: dir, modulePath } = await dataDir();
    const first = await startUnreapedRuntime(modulePath, dir);
    process.kill(first, 'SIGKILL');
    await waitFor('the killed runtime to be a zombie', () => processState(first) === 'Z');
    expect(readFileSync(join(dir, HOLDER_FILE), 'utf8')).toBe(`${first} ${hostname()}\n`);

    const second = new RuntimeProcess({ dataDir: dir, moduleYaml: MODULE_YAML });
    cleanups.push(() => second.kill());
    await second.start();
    // Still unreaped while the second runtime took the lock.
    expect(processState(first)).toBe('Z');
    expect(readFileSync(join(dir, HOLDER_FILE), 'utf8')).toBe(`${second.pid} ${hostname()}\n`);
  });

  it('starts on a directory whose old-format LOCK file names a live unrelated process', async () => {
    const { dataDir: dir } = await dataDir();
    const unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
    cleanups.push(() => unrelated.kill('SIGKILL'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'LOCK'), `${unrelated.pid} ${hostname()}\n`);

    const runtime = new RuntimeProcess({ dataDir: dir, moduleYaml: MODULE_YAML });
    cleanups.push(() => runtime.kill());
    await runtime.start();
    expect(processState(unrelated.pid!)).toMatch(/^[RS]$/);
  });

  it('refuses a second runtime with ERR_STORE_LOCKED whatever the files say; after SIGKILL of the first, a new one starts', async () => {
    const { dataDir: dir, modulePath } = await dataDir();
    const first = new RuntimeProcess({ dataDir: dir, moduleYaml: MODULE_YAML });
    cleanups.push(() => first.kill());
    await first.start();
    const args = ['run', modulePath, '--data-dir', dir, '--listen', '127.0.0.1:0'];

    const refused = await runCli(args);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('[ERR_STORE_LOCKED]');
    expect(refused.stderr).toContain(`The data directory ${dir} is in use by another Statehouse runtime`);
    expect(refused.stderr).toContain(`process ${first.pid} on host ${hostname()}`);
    // The runtime speaks of its dataDir option; the CLI adds the flag.
    expect(refused.stderr).toContain('another data directory (the dataDir option)');
    expect(refused.stderr).toContain(
      '[ERR_STORE_LOCKED]\nstatehouse: stop it first, or use another --data-dir',
    );

    // The files only inform the message: without them the second runtime is still refused.
    await rm(join(dir, HOLDER_FILE), { force: true });
    await rm(join(dir, 'LOCK'), { force: true });
    const stillRefused = await runCli(args);
    expect(stillRefused.status).toBe(2);
    expect(stillRefused.stderr).toContain('[ERR_STORE_LOCKED]');

    await first.kill();
    const next = new RuntimeProcess({ dataDir: dir, moduleYaml: MODULE_YAML });
    cleanups.push(() => next.kill());
    await next.start();
  });

  it('refuses a second runtime in the same process whatever the files say, and frees the directory on close', async () => {
    const { dataDir: dir } = await dataDir();
    const options = {
      module: loadModuleFiles([{ path: 'module.yaml', text: MODULE_YAML }]),
      dataDir: dir,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    };
    const first = await createRuntime(options);
    cleanups.push(() => first.close());
    await rm(join(dir, HOLDER_FILE), { force: true });
    await rm(join(dir, 'LOCK'), { force: true });
    await expect(createRuntime(options)).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED' });

    await first.close();
    const second = await createRuntime(options);
    await second.close();
  });
});
