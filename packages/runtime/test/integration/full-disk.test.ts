/**
 * A full disk degrades, it does not crash: with the data directory on a small tmpfs, 20 KB messages whose
 * records the function keeps in an egress fill it under load. Ingress then answers 503 ERR_API_STORE_FULL
 * with Retry-After, /readyz says store-full, reads keep working and the runtime stays up. Deleting a ballast
 * file frees space: processing resumes by itself, and every accepted message (clients retry with their
 * idempotency keys) is applied exactly once. Needs root to mount a tmpfs (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '@statehouse/testkit';
import { loadModuleFiles, Runtime } from '@statehouse/runtime';
import type { PersistedValueSpecProps } from '@statehouse/protocol';
import {
  BlobIngress,
  blobModule,
  createTempDir,
  echoBlobs,
  incompleteReply,
  metricValue,
  missingSpecs,
  mountTmpfs,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
} from '@statehouse/testkit';

const SPECS: PersistedValueSpecProps[] = [{ stateName: 'n', typeTypename: 'fd/N' }];
const isRoot = process.getuid?.() === 0;

describe('a full disk', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it.skipIf(!isRoot)('answers 503, keeps reads, and resumes by itself when space frees', async () => {
    const base = await createTempDir();
    cleanups.push(() => base.cleanup());
    const mount = join(base.path, 'small');
    mountTmpfs(mount, 'size=16M', cleanups);
    const ballast = join(mount, 'ballast');
    writeFileSync(ballast, Buffer.alloc(6 * 1024 * 1024, 1));

    const service = await serveRecording((req) => {
      const missing = missingSpecs(req, SPECS);
      if (missing.length > 0) return incompleteReply(missing);
      const before = req.states.get('n');
      const n = before === undefined ? 0 : Number(before.value.toString());
      return resultReply({
        stateMutations: [
          {
            stateName: 'n',
            mutationType: 1,
            stateValue: {
              typename: 'fd/N',
              hasValue: true,
              value: Buffer.from(String(n + req.invocations.length)),
            },
          },
        ],
        // Every message is kept in the log egress: this is what fills the disk.
        outgoingEgresses: echoBlobs(req),
      });
    });
    cleanups.push(() => service.close());
    const { runtime, api } = await startEmbeddedRuntime({
      moduleText: blobModule(service.url),
      dataDir: join(mount, 'data'),
      cleanups,
      options: { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 500 },
    });

    // Each message: 20 KB, its key in the first bytes, so records can be matched to keys.
    const blobs = new BlobIngress(api, () => 'x'.repeat(20 * 1024));
    const { accepted, refused: full } = await blobs.fillUntilRefused(2_000);
    expect(full?.status).toBe(503);
    expect(full?.body).toMatchObject({ error: { code: 'ERR_API_STORE_FULL' } });
    expect(full?.headers['retry-after']).toBe('5');
    const sentUpTo = accepted.size + 1;

    // Degraded, not dead: readiness says why, reads and metrics answer, the runtime runs.
    await waitFor('not ready: store-full', async () => {
      const ready = await api.get<{ status: string }>('/readyz');
      return ready.status === 503 && ready.body.status === 'store-full';
    });
    expect(runtime.state).toBe('RUNNING');
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.egress('fd/out', 0, 5)).status).toBe(200);
    expect([200, 404]).toContain((await api.state('fd/count', 'c0')).status);
    expect(metricValue((await api.get<string>('/metrics')).body, 'statehouse_store_full')).toBe(1);
    expect((await blobs.send(sentUpTo)).status).toBe(503);

    // Space frees: it resumes without a restart.
    rmSync(ballast);
    await waitFor('ready again', async () => (await api.get('/readyz')).status === 200, {
      timeoutMs: 20_000,
    });
    expect(runtime.state).toBe('RUNNING');
    // Clients retry what was refused, with the same keys; an accepted key is never enqueued twice.
    for (let i = 0; i <= sentUpTo; i++) {
      const answer = await blobs.send(i);
      expect(answer.status).toBe(202);
      accepted.add(i);
    }
    await waitFor('every message applied', async () => (await blobs.applied()).length >= accepted.size, {
      timeoutMs: 30_000,
    });
    const seen = await blobs.applied();
    expect(seen.length).toBe(accepted.size);
    expect(new Set(seen).size).toBe(accepted.size);
    let total = 0;
    for (let c = 0; c < 4; c++) {
      const state = await api.state('fd/count', `c${c}`);
      total += Number(Buffer.from(state.body.values?.['n']?.bytes ?? '', 'base64').toString() || 0);
    }
    expect(total).toBe(accepted.size);
  });

  it.skipIf(!isRoot)(
    'starts on a disk that is already full: the API answers, it waits, then serves',
    async () => {
      const base = await createTempDir();
      cleanups.push(() => base.cleanup());
      const mount = join(base.path, 'small');
      mountTmpfs(mount, 'size=8M', cleanups);
      const service = await serveRecording(() => resultReply({}));
      cleanups.push(() => service.close());
      const module = loadModuleFiles([
        {
          path: 'module.yaml',
          text: `kind: io.statefun.endpoints.v2/http\nspec:\n  functions: fd/*\n  urlPathTemplate: ${service.url}/{function.name}\n`,
        },
      ]);
      const options = {
        module,
        dataDir: join(mount, 'data'),
        listen: '127.0.0.1:0',
        logger: pino({ level: 'silent' }),
        collectProcessMetrics: false,
      };
      // Create the store, stop, and fill the disk to the last byte.
      const first = new Runtime(options);
      await first.start();
      await first.close();
      const ballast = join(mount, 'ballast');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${ballast}`, 'bs=64k'], { stdio: 'ignore' });
      } catch {
        // dd stops with "No space left on device": that is the point.
      }
      const runtime = new Runtime(options);
      const started = runtime.start();
      cleanups.push(async () => {
        await runtime.close();
        await started.catch(() => undefined);
      });
      await waitFor('the API answers', () => runtime.url !== '');
      const api = new ApiClient(runtime.url);
      expect((await api.get('/healthz')).status).toBe(200);
      const early = await api.ingressJson('fd/x', 'a', 'fd/V', 1, 'k-early');
      expect(early.status).toBe(503);
      rmSync(ballast);
      await started;
      await waitFor('ready', async () => (await api.get('/readyz')).status === 200, { timeoutMs: 20_000 });
      expect((await api.ingressJson('fd/x', 'a', 'fd/V', 1, 'k-early')).status).toBe(202);
      expect(runtime.state).toBe('RUNNING');
    },
  );
});
