/**
 * Serves the same functions twice over real HTTP on 127.0.0.1 port 0: once with our SDK, once with the
 * official `apache-flink-statefun` JavaScript SDK, and sends identical request bytes to both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateFun } from 'apache-flink-statefun';
import { serve, type StatefulFunction } from '../../src/index.js';
import { decodeResponse, type PlainFromFunction } from '../support/wire.js';

/** One server's raw answer. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

/** Both servers' answers to one request. */
export interface Exchange {
  readonly ours: Answer;
  readonly official: Answer;
}

/** A started pair of servers. */
export interface ServerPair {
  /** Sends the same bytes to both servers. */
  exchange(body: Uint8Array): Promise<Exchange>;
  /** Sends the same bytes to both, expects 200 from both, and returns both decoded answers. */
  compare(body: Uint8Array): Promise<{ ours: PlainFromFunction; official: PlainFromFunction }>;
  close(): Promise<void>;
}

async function post(url: string, body: Uint8Array): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

/**
 * Starts both servers.
 *
 * @param ours - the functions written with our SDK.
 * @param bindOfficial - binds the same functions on the official SDK's `StateFun`.
 */
export async function startPair(
  ours: readonly StatefulFunction[],
  bindOfficial: (statefun: StateFun) => void,
): Promise<ServerPair> {
  const ourServer = await serve(ours, { port: 0 });
  const statefun = new StateFun();
  bindOfficial(statefun);
  const handler = statefun.handler();
  const officialServer = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => officialServer.listen(0, '127.0.0.1', resolve));
  const officialUrl = `http://127.0.0.1:${(officialServer.address() as AddressInfo).port}/`;

  const exchange = async (body: Uint8Array): Promise<Exchange> => {
    const [oursAnswer, officialAnswer] = await Promise.all([
      post(ourServer.url, body),
      post(officialUrl, body),
    ]);
    return { ours: oursAnswer, official: officialAnswer };
  };

  return {
    exchange,
    async compare(body) {
      const { ours: a, official: b } = await exchange(body);
      if (a.status !== 200 || b.status !== 200) {
        throw new Error(`expected 200 from both servers, got ours=${a.status} official=${b.status}`);
      }
      return { ours: decodeResponse(a.body), official: decodeResponse(b.body) };
    },
    async close() {
      await ourServer.close();
      await new Promise<void>((resolve, reject) => {
        officialServer.close((error) => (error ? reject(error) : resolve()));
        officialServer.closeIdleConnections();
      });
    },
  };
}
