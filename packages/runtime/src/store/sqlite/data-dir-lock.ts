/**
 * One process per data directory: two runtimes on the same SQLite store would break exactly-once (each
 * would run the same inbox). A `LOCK` file holds the owner's pid; a lock left by a dead process (SIGKILL)
 * is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../../errors.js';

/** Name of the lock file inside the data directory. */
export const LOCK_FILE_NAME = 'LOCK';

// Lock files this process holds: a LOCK naming our own pid is ours only if it is in here (in a restarted
// container, pid 1 comes back while the old LOCK is stale).
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's lock.
 *
 * @returns a function that releases it.
 * @throws {@link StoreError} `ERR_STORE_LOCKED` when a live process holds it.
 */
export function lockDataDirectory(directory: string): () => void {
  const path = join(directory, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        try {
          if (Number(readFileSync(path, 'utf8').trim().split(' ')[0]) === process.pid)
            rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = Number.NaN;
    let holderHost = '';
    try {
      const [pid, host] = readFileSync(path, 'utf8').trim().split(' ');
      holder = Number(pid);
      holderHost = host ?? '';
    } catch {
      continue; // removed meanwhile: try again
    }
    if (holderHost !== '' && holderHost !== hostname()) {
      // Another machine or container shares this directory: its process cannot be checked from here.
      throw new StoreError(
        'ERR_STORE_LOCKED',
        `The data directory ${directory} is locked by process ${holder} on host ${holderHost}; stop that runtime first. If it is gone for good, delete ${path}.`,
      );
    }
    const isOurs = holder === process.pid;
    if (Number.isInteger(holder) && ((isOurs && heldHere.has(path)) || (!isOurs && isAlive(holder)))) {
      throw new StoreError(
        'ERR_STORE_LOCKED',
        `The data directory ${directory} is in use by process ${holder}; stop it first, or use another --data-dir (two runtimes on one data directory would run every message twice).`,
      );
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new StoreError(
    'ERR_STORE_LOCKED',
    `Could not take the lock ${path}; remove it if no runtime uses ${directory}.`,
  );
}
