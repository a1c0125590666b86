/**
 * The store's client survives a connection lost while postgres.js fetches array types, the first statement of
 * every new connection. postgres.js 3.4.9 dropped that query's promise, so a server shutting down or ending
 * sessions at that moment ended the whole process with an unhandled rejection (seen in CI: a cluster process
 * died during a PostgreSQL restart), and the next connection replayed the stale error onto the user's statement
 * and never fetched the types (porsager/postgres issues 279, 1192, 1205, 1223). Two hunks of
 * `patches/postgres+3.4.9.patch` handle it; this test fails without either.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@statehouse/testkit';

import { createSql } from './sql.js';

/** Text of the driver's own array-types query, as it crosses the wire. */
const TYPES_QUERY_MARK = 'typarray';

/** The message a server sends a session it ends (`pg_terminate_backend`, a fast shutdown): FATAL 57P01. */
function terminatingErrorResponse(): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ].map(([code, text]) => Buffer.from(`${code}${text}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/**
 * A TCP proxy in front of the server that ends the first `cuts` connections the moment the client sends the
 * array-types query, as a server shutting down at that moment does: FATAL 57P01, then the socket closes.
 */
async function startCuttingProxy(
  target: URL,
  cuts: number,
): Promise<{ server: Server; port: number; cut: () => number }> {
  let cutSoFar = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (cutSoFar < cuts && chunk.includes(TYPES_QUERY_MARK)) {
        cutSoFar += 1;
        upstream.destroy();
        client.end(terminatingErrorResponse());
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => {
        sockets.delete(socket);
        end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { server, port: address.port, cut: () => cutSoFar };
}

describe('the store client when a new connection is lost while it fetches array types', () => {
  it('the statement that opened the connection waits through the losses and runs; nothing is left unhandled', async () => {
    const databaseUrl = new URL(await pg.createDatabase());
    const proxy = await startCuttingProxy(databaseUrl, 3);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxy.port);
    const sql = createSql({ url: viaProxy.toString(), max: 1, connectTimeoutMs: 5_000 });
    try {
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 6 && outcomes.at(-1) !== 'ok'; attempt++) {
        try {
          // An array parameter: it needs the types the driver fetches on connect.
          const [row] = await sql<{ n: number }[]>`SELECT cardinality(${[1, 2, 3]}::int[]) AS n`;
          outcomes.push(row?.n === 3 ? 'ok' : `wrong ${JSON.stringify(row)}`);
        } catch (err) {
          outcomes.push((err as { code?: string }).code ?? String(err));
        }
      }
      // Let any dropped promise surface before looking.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(proxy.cut()).toBe(3);
      // The statement waits through the lost connections and runs on the first one that starts up; without the
      // patch it fails with the stale 57P01, and every later array parameter with 22P02 (no types fetched).
      expect(outcomes).toEqual(['ok']);
      expect(unhandled.map(String)).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql.end({ timeout: 1 });
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});
