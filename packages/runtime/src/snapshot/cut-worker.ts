/** The snapshot thread (see `cut-thread.ts`): cuts the store it is given, writes the files, answers once. */
import { parentPort, workerData } from 'node:worker_threads';

import type { CutJob, CutReply } from './cut-thread.js';
import { writeCutFiles } from './cut-files.js';

const job = workerData as CutJob;
writeCutFiles(job.source, job.dir, job.cpuShare).then(
  (ok) => parentPort!.postMessage({ ok } satisfies CutReply),
  (err: unknown) => {
    const e = err as { name?: string; code?: unknown; message?: string };
    const error = {
      name: e.name ?? 'Error',
      message: e.message ?? String(err),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
    };
    parentPort!.postMessage({ error } satisfies CutReply);
  },
);
