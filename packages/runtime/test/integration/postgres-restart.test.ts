/**
 * PostgreSQL restarts (`pg_ctl stop -m fast`, a few seconds down, started again) under a pipelined write load
 * must not kill the process. postgres.js 3.4.9 writes to its socket from a `setImmediate` callback that can run
 * after the socket closed and throws `TypeError: Cannot read properties of null (reading 'write')` where no
 * caller can catch it (porsager/postgres issues 1066, 1154, 1208). `patches/postgres+3.4.9.patch`, applied by
 * the root `postinstall`, guards it; ADR 0007 has the details.
 *
 * The load runs in a child process (`postgres-write-load.ts`) so a crash ends the child, not the test. The
 * unpatched driver is the installed one with the patch taken off again (`patch-package --reverse`) in a temp dir.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTempDir, startPostgres, waitFor, type TestPostgres } from '@statehouse/testkit';

import type { LoadReport } from './postgres-write-load.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LOAD_SCRIPT = fileURLToPath(new URL('./postgres-write-load.ts', import.meta.url));
/** The `postgres` package the runtime resolves (hoisted to the root `node_modules` by the workspaces). */
const DRIVER_DIR = dirname(
  dirname(dirname(createRequire(join(ROOT, 'packages/runtime/package.json')).resolve('postgres'))),
);
/** Every module copy postgres.js ships: ESM (what our `import` resolves to), CommonJS, Cloudflare Workers. */
const MODULE_COPIES = ['src', 'cjs/src', 'cf/src'];
const PATCH_MARKER = 'statehouse patch';
const PATCH_HUNKS = 8;

/** How long the server stays down in each restart. */
const DOWN_MS = 3_000;
const UNPATCHED_ATTEMPTS = 3;
const PATCHED_RESTARTS = 2;
/** Successes to see before a restart (the load is running) and after it (the driver recovered). */
const OK_BEFORE = 100;
const OK_AFTER = 20;

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

interface LoadChild {
  /** The last report, or undefined before the first one. */
  latest(): LoadReport | undefined;
  /** Whether the child has exited. */
  hasExited(): boolean;
  readonly exit: Promise<Exit>;
  /** Asks the child to finish its work, end its pool and exit. */
  requestStop(): void;
  kill(): void;
}

function startLoad(driverDir: string, databaseUrl: string): LoadChild {
  const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, driverDir, databaseUrl], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let latest: LoadReport | undefined;
  let pending = '';
  let stderr = '';
  let hasExited = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') latest = JSON.parse(line) as LoadReport;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // Writing "stop" to a child that already crashed fails with EPIPE; the exit code tells what happened.
  child.stdin.on('error', () => {});
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      hasExited = true;
      resolve({ code, signal, stderr });
    }),
  );
  return {
    latest: () => latest,
    hasExited: () => hasExited,
    exit,
    requestStop: () => child.stdin.end('stop\n'),
    kill: () => {
      if (!hasExited) child.kill('SIGKILL');
    },
  };
}

/** Waits until the child reported `ok` of at least `atLeast`; fails early when the child exits. */
async function waitForOk(load: LoadChild, atLeast: number, timeoutMs: number): Promise<LoadReport> {
  return waitFor(
    `${atLeast} successful queries`,
    () => {
      if (load.hasExited()) throw new Error('the load process exited');
      const report = load.latest();
      return report !== undefined && report.ok >= atLeast ? report : undefined;
    },
    { timeoutMs },
  );
}

/** A copy of the installed driver with the patch taken off: postgres.js 3.4.9 as published. */
async function unpatchedDriver(): Promise<string> {
  const app = await createTempDir('statehouse-unpatched-postgres-');
  onTestFinished(() => app.cleanup());
  await mkdir(join(app.path, 'node_modules'));
  await cp(DRIVER_DIR, join(app.path, 'node_modules', 'postgres'), { recursive: true });
  await cp(join(ROOT, 'patches'), join(app.path, 'patches'), { recursive: true });
  await writeFile(join(app.path, 'package.json'), '{ "name": "unpatched", "private": true }\n');
  await run(process.execPath, [join(ROOT, 'node_modules/patch-package/index.js'), '--reverse'], {
    cwd: app.path,
  });
  const driverDir = join(app.path, 'node_modules', 'postgres');
  for (const copy of MODULE_COPIES) {
    expect(await readFile(join(driverDir, copy, 'connection.js'), 'utf8')).not.toContain(PATCH_MARKER);
  }
  return driverDir;
}

describe('postgres.js and a PostgreSQL restart under load', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    // Embedded even when STATEHOUSE_TEST_PG_URL is set: the test stops and starts the server.
    pg = await startPostgres({ url: null });
  });
  afterAll(() => pg?.stop());

  it('the installed driver carries the patch in every module copy, and ESM imports resolve to src/', async () => {
    for (const copy of MODULE_COPIES) {
      const text = await readFile(join(DRIVER_DIR, copy, 'connection.js'), 'utf8');
      expect(text.split(PATCH_MARKER).length - 1, `${copy}/connection.js`).toBe(PATCH_HUNKS);
    }
    const manifest = JSON.parse(await readFile(join(DRIVER_DIR, 'package.json'), 'utf8')) as {
      version: string;
      exports: { import: string };
    };
    expect(manifest.version).toBe('3.4.9');
    expect(manifest.exports.import).toBe('./src/index.js');
  });

  it('without the patch, a fast shutdown under load kills the process with the TypeError', async () => {
    const driverDir = await unpatchedDriver();
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= UNPATCHED_ATTEMPTS; attempt++) {
      const load = startLoad(driverDir, await pg.createDatabase());
      onTestFinished(() => load.kill());
      await waitForOk(load, OK_BEFORE, 20_000);
      await pg.stopServer();
      await Promise.race([load.exit, sleep(DOWN_MS)]);
      await pg.startServer();
      if (!load.hasExited()) load.requestStop();
      const exit = await Promise.race([load.exit, sleep(15_000).then(() => undefined)]);
      load.kill();
      const crashed =
        exit !== undefined &&
        exit.code !== 0 &&
        exit.stderr.includes("TypeError: Cannot read properties of null (reading 'write')");
      outcomes.push(crashed ? 'crashed' : `survived (${JSON.stringify(exit ?? 'no exit')})`);
    }
    console.log(`unpatched postgres.js 3.4.9: ${outcomes.join(', ')}`);
    // Seen crashing on every attempt; one is enough to show this test fails without the patch.
    expect(outcomes.filter((o) => o === 'crashed').length).toBeGreaterThan(0);
  }, 120_000);

  it('with the patch, the load survives restarts: errors are ordinary rejections and queries succeed again', async () => {
    const load = startLoad(DRIVER_DIR, await pg.createDatabase());
    onTestFinished(() => load.kill());
    let okBefore = 0;
    for (let restart = 1; restart <= PATCHED_RESTARTS; restart++) {
      await waitForOk(load, okBefore + OK_BEFORE, 20_000);
      await pg.stopServer();
      await sleep(DOWN_MS);
      expect(load.hasExited(), 'the load process is still running while the server is down').toBe(false);
      await pg.startServer();
      const okAtStart = load.latest()?.ok ?? 0;
      okBefore = (await waitForOk(load, okAtStart + OK_AFTER, 30_000)).ok;
    }
    load.requestStop();
    const exit = await load.exit;
    const final = load.latest();
    console.log(`patched postgres.js 3.4.9 over ${PATCHED_RESTARTS} restarts: ${JSON.stringify(final)}`);
    expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null });
    expect(final?.final).toBe(true);
    expect(final?.unexpected).toEqual([]);
    // The restarts hit queries in flight, and each failure reached its caller as an Error with a code.
    expect(final?.failed).toBeGreaterThan(0);
  }, 120_000);
});
