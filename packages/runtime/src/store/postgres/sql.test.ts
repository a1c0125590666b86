/**
 * The store's client survives a connection lost while postgres.js fetches array types, the first statement of
 * every new connection. postgres.js 3.4.9 dropped that query's promise, so a server shutting down or ending
 * sessions at that moment ended the whole process with an unhandled rejection (seen in CI: a cluster process
 * died during a PostgreSQL restart), and the next connection replayed the stale error onto the user's statement
 * and never fetched the types (porsager/postgres issues 279, 1192, 1205, 1223). Hunks of
 * `patches/postgres+3.4.9.patch` handle it (ADR 0007); each case below fails without them.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@statehouse/testkit';

import { createSql, type Sql } from './sql.js';

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
 * A TCP proxy in front of the server that ends the first `cuts` connections whose client sends `mark`, as a
 * server shutting down at that moment does: FATAL 57P01, then the socket closes.
 */
async function startCuttingProxy(
  target: URL,
  mark: string,
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
      if (cutSoFar < cuts && chunk.includes(mark)) {
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

/** The outcome of a statement with an array parameter (it needs the types the driver fetches on connect). */
async function arrayStatement(sql: Sql, tag = ''): Promise<string> {
  try {
    const [row] = await sql.unsafe<{ n: number }[]>(`SELECT cardinality($1::int[]) AS n ${tag}`, [[1, 2, 3]]);
    return row?.n === 3 ? 'ok' : `wrong ${JSON.stringify(row)}`;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('the store client when the server ends a connection (FATAL 57P01) at a bad moment', () => {
  let cleanups: (() => Promise<void>)[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });

  async function clientBehind(mark: string, cuts: number): Promise<{ sql: Sql; cut: () => number }> {
    const databaseUrl = new URL(await pg.createDatabase());
    const proxy = await startCuttingProxy(databaseUrl, mark, cuts);
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxy.port);
    const sql = createSql({ url: viaProxy.toString(), max: 1, connectTimeoutMs: 5_000 });
    cleanups.push(async () => {
      await sql.end({ timeout: 1 });
      await new Promise((resolve) => proxy.server.close(resolve));
    });
    return { sql, cut: proxy.cut };
  }

  /** Lets a dropped promise surface before looking for it. */
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

  it('while it fetches array types: that statement fails as retryable, the next connection fetches them again', async () => {
    const { sql, cut } = await clientBehind(TYPES_QUERY_MARK, 3);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 6 && outcomes.at(-1) !== 'ok'; attempt++)
      outcomes.push(await arrayStatement(sql));
    await settle();
    expect(cut()).toBe(3);
    // Unpatched: an unhandled rejection (the driver dropped the types query's promise), the stale 57P01 on the
    // waiting statement, and then 22P02 for every array parameter (the new connection never fetched types).
    expect(outcomes).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED', 'CONNECTION_CLOSED', 'ok']);
    expect(unhandled.map(String)).toEqual([]);
  });

  it('every time it fetches array types: each statement fails at once, none waits forever', async () => {
    const { sql, cut } = await clientBehind(TYPES_QUERY_MARK, Number.POSITIVE_INFINITY);
    const outcomes = [await arrayStatement(sql), await arrayStatement(sql)];
    await settle();
    expect(outcomes).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
    expect(cut()).toBe(2);
    expect(unhandled.map(String)).toEqual([]);
  });

  it("during a user's statement: the next statement does not get that connection's stale error", async () => {
    const { sql } = await clientBehind('/* cut here */', 1);
    expect(await arrayStatement(sql)).toBe('ok');
    expect(await arrayStatement(sql, '/* cut here */')).toBe('CONNECTION_CLOSED');
    // Unpatched: 57P01, the error of the statement before, replayed onto this one.
    expect(await arrayStatement(sql)).toBe('ok');
    await settle();
    expect(unhandled.map(String)).toEqual([]);
  });
});
