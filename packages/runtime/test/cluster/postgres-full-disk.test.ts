/**
 * A full disk under the PostgreSQL store degrades, it does not crash: the cluster's data directory is on a
 * small tmpfs, and 20 KB messages that the function keeps in an egress fill it under load. The runtime stays
 * up and refuses ingress with 503 (the server answers `53100 disk_full`, or goes away if its WAL cannot be
 * written); after the ballast is deleted (and the server restarted when it had to stop), processing resumes
 * without restarting the runtime, and every accepted message is applied exactly once. Needs root to mount a
 * tmpfs (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlobIngress,
  blobModule,
  createTempDir,
  echoBlobs,
  mountTmpfs,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  startPostgres,
  waitFor,
} from '@statehouse/testkit';

const isRoot = process.getuid?.() === 0;

describe('a full disk under PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  });

  it.skipIf(!isRoot)('answers 503, stays up, and resumes once space frees; exactly once', async () => {
    const base = await createTempDir();
    cleanups.push(() => base.cleanup());
    // Every parent of the server's data directory must be traversable by the `postgres` user.
    chmodSync(base.path, 0o755);
    const mount = join(base.path, 'pgdisk');
    mountTmpfs(mount, 'size=160M,mode=0755', cleanups);
    chmodSync(mount, 0o755);
    const pg = await startPostgres({ url: null, parentDir: mount });
    cleanups.push(() => pg.stop());
    const url = await pg.createDatabase();

    const service = await serveRecording((req) => resultReply({ outgoingEgresses: echoBlobs(req) }));
    cleanups.push(() => service.close());
    const { runtime, api } = await startEmbeddedRuntime({
      moduleText: blobModule(service.url),
      dataDir: join(base.path, 'unused'),
      cleanups,
      options: {
        logger: pino({ level: 'silent' }),
        storeUrl: url,
        nodeId: 'a',
        leaseMs: 3_000,
      },
    });

    // Leave about 12 MB free: the load fills it within a few hundred messages.
    const free = Number(execFileSync('df', ['-B1', '--output=avail', mount]).toString().split('\n')[1]);
    const ballast = join(mount, 'ballast');
    writeFileSync(ballast, Buffer.alloc(Math.max(0, free - 12 * 1024 * 1024), 1));

    // Random, so that PostgreSQL cannot compress it away.
    const blobs = new BlobIngress(api, () => randomBytes(15 * 1024).toString('base64'));
    const { accepted, refused, sent } = await blobs.fillUntilRefused(3_000);
    expect(refused?.status).toBe(503);
    expect(refused?.body).toMatchObject({ error: { code: 'ERR_API_STORE_FULL' } });
    await waitFor('not ready: store-full', async () => {
      const ready = await api.get<{ status: string }>('/readyz');
      return ready.status === 503 && ready.body.status === 'store-full';
    });
    expect(runtime.state).toBe('RUNNING');
    expect((await api.get('/healthz')).status).toBe(200);

    // Space frees; a server that had to stop (it cannot write its WAL) is started again, as an operator would.
    rmSync(ballast);
    const admin = postgres(pg.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    cleanups.push(() => admin.end({ timeout: 1 }));
    const isServerUp = async (): Promise<boolean> =>
      admin`SELECT 1`.then(
        () => true,
        () => false,
      );
    if (
      !(await waitFor('server up', isServerUp, { timeoutMs: 5_000 }).then(
        () => true,
        () => false,
      ))
    ) {
      await pg.stopServer();
      await pg.startServer();
    }
    await waitFor('ready again', async () => (await api.get('/readyz')).status === 200, {
      timeoutMs: 30_000,
    });
    expect(runtime.state).toBe('RUNNING');
    // Clients retry what was refused, with the same keys.
    for (let i = 0; i < sent; i++) {
      await waitFor(`message ${i} accepted`, async () => (await blobs.send(i)).status === 202, {
        timeoutMs: 20_000,
      });
      accepted.add(i);
    }
    await waitFor('every message applied', async () => (await blobs.applied()).length >= accepted.size, {
      timeoutMs: 30_000,
    });
    const seen = await blobs.applied();
    expect(seen.length).toBe(accepted.size);
    expect(new Set(seen).size).toBe(accepted.size);
  });
});
