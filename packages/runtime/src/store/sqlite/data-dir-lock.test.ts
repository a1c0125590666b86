/**
 * The data-directory lock in one process and across processes. Runtimes as real child processes (zombies,
 * SIGKILL) are in test/integration/data-dir-lock.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

import { StoreError } from '../../errors.js';
import { LOCK_FILE_NAME, LOCK_HOLDER_FILE_NAME, lockDataDirectory } from './data-dir-lock.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../../..', import.meta.url));
const SOURCE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));

/** Tries the lock in a new node process, which exits (and so releases it) right after. */
async function lockInChildProcess(directory: string): Promise<string> {
  const script = [
    `import { lockDataDirectory } from ${JSON.stringify(SOURCE)};`,
    `try { lockDataDirectory(${JSON.stringify(directory)}); console.log('locked'); }`,
    'catch (err) { console.log(err.code); }',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    timeout: 20_000,
  });
  return stdout.trim();
}

function lockError(directory: string): unknown {
  try {
    lockDataDirectory(directory)();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('lockDataDirectory', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'statehouse-lock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('refuses a second lock in the same process, whatever the files say, until the first is released', async () => {
    const dir = await tempDir();
    const release = lockDataDirectory(dir);
    cleanups.push(release);

    const err = lockError(dir);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'ERR_STORE_LOCKED' });
    const message = (err as StoreError).message;
    expect(message).toContain(dir);
    expect(message).toContain(`process ${process.pid} on host ${hostname()}`);
    expect(message).toContain('another data directory (the dataDir option)');

    // The record of the holder and an old-format LOCK file decide nothing: without them it is still refused.
    await rm(join(dir, LOCK_HOLDER_FILE_NAME), { force: true });
    await rm(join(dir, 'LOCK'), { force: true });
    expect(lockError(dir)).toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: expect.stringContaining('not recorded') as string,
    });

    release();
    release(); // a second call does nothing
    expect(existsSync(join(dir, LOCK_HOLDER_FILE_NAME))).toBe(false);
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(true); // never deleted, see the module comment
    const again = lockDataDirectory(dir);
    again();
  });

  it('keeps the lock against other processes after a refused attempt in this process', async () => {
    const dir = await tempDir();
    const release = lockDataDirectory(dir);
    cleanups.push(release);
    // The refused attempt opens and closes the lock file in this process; POSIX drops every lock of a
    // process on a file when any of its descriptors closes, unless SQLite keeps that descriptor open.
    expect(lockError(dir)).toMatchObject({ code: 'ERR_STORE_LOCKED' });
    await rm(join(dir, LOCK_HOLDER_FILE_NAME), { force: true });
    await rm(join(dir, 'LOCK'), { force: true });
    expect(await lockInChildProcess(dir)).toBe('ERR_STORE_LOCKED');

    release();
    expect(await lockInChildProcess(dir)).toBe('locked');
    // The child exited, and with it its lock.
    lockDataDirectory(dir)();
  });

  it('takes the lock over an old-format LOCK file naming a live unrelated process, and removes that file', async () => {
    const dir = await tempDir();
    // The vitest main process: alive, on this host, and holding no lock.
    await writeFile(join(dir, 'LOCK'), `${process.ppid} ${hostname()}\n`);
    await writeFile(join(dir, LOCK_HOLDER_FILE_NAME), `${process.ppid} ${hostname()}\n`);
    const release = lockDataDirectory(dir);
    cleanups.push(release);
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    expect(await readFile(join(dir, LOCK_HOLDER_FILE_NAME), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
  });
});
