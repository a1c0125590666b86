/**
 * Serves functions written with the official `apache-flink-statefun` SDK over real HTTP on 127.0.0.1.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started HTTP function service. */
export interface FunctionService {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server with the given request listener (e.g. `statefun.handler()` of the official SDK).
 *
 * @param listener - the node:http request listener.
 * @param port - port to bind; 0 picks one. @default 0
 */
export async function serveHttp(listener: RequestListener, port = 0): Promise<FunctionService> {
  const server: Server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
