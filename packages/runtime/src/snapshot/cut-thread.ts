/**
 * Where the cut of a snapshot runs: on a worker thread when the runtime runs from its build (reading every row
 * and compressing it would otherwise take the event loop from the traffic for the whole snapshot), in this thread
 * when it runs from TypeScript source (tests), where a worker cannot load the module.
 */
import { Worker } from 'node:worker_threads';

import { SnapshotError, StoreError, type SnapshotErrorCode, type StoreErrorCode } from '../errors.js';
import type { SnapshotSource } from './create-snapshot.js';
import { writeCutFiles, type CutFiles } from './cut-files.js';

/** What the worker is given. */
export interface CutJob {
  readonly source: SnapshotSource;
  readonly dir: string;
  readonly cpuShare: number;
}

/** What the worker answers. */
export type CutReply =
  | { readonly ok: CutFiles }
  | { readonly error: { readonly name: string; readonly code?: string; readonly message: string } };

const WORKER = new URL('./cut-worker.js', import.meta.url);

/** The error a worker reported, as the class it was thrown as (codes branch the same on both sides). */
function errorOf(e: { readonly name: string; readonly code?: string; readonly message: string }): Error {
  if (e.name === 'SnapshotError') return new SnapshotError(e.code as SnapshotErrorCode, e.message);
  if (e.name === 'StoreError') return new StoreError(e.code as StoreErrorCode, e.message);
  return new Error(e.message);
}

function inWorker(job: CutJob): Promise<CutFiles> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job });
    let settled = false;
    worker.once('message', (reply: CutReply) => {
      settled = true;
      if ('ok' in reply) resolve(reply.ok);
      else reject(errorOf(reply.error));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the snapshot thread exited (code ${code}) before it finished`));
    });
  });
}

/**
 * Cuts a source and writes every table to `dir`, off the event loop when it can.
 *
 * @param source - the store.
 * @param dir - an empty directory.
 * @param cpuShare - the share of a CPU the cut may take.
 * @returns the cut's meta and files.
 */
export function cutToFiles(source: SnapshotSource, dir: string, cpuShare: number): Promise<CutFiles> {
  return import.meta.url.endsWith('.ts')
    ? writeCutFiles(source, dir, cpuShare)
    : inWorker({ source, dir, cpuShare });
}
