/** A ready-made node:http server for functions. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatefulFunction } from '../define-function.js';
import { DefinitionError, describeValue } from '../errors.js';
import type { HandlerOptions } from '../request-handler.js';
import { createNodeHandler } from './node-handler.js';

/** Options of {@link serve}. */
export interface ServeOptions extends HandlerOptions {
  /**
   * Interface to listen on; use `0.0.0.0` to accept connections from other hosts (e.g. in a container).
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port to listen on; `0` picks a free one (read it from {@link FunctionServer.port}).
   * @default 8000
   */
  readonly port?: number;
}

/** A started function server. */
export interface FunctionServer {
  /** The interface it listens on. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** `http://host:port/`, for module.yaml or tests. */
  readonly url: string;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /**
   * Stops accepting connections, closes idle keep-alive connections, and resolves once requests in flight
   * have been answered.
   * @returns when the server is closed.
   */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server serving functions.
 *
 * @param functions - functions made with {@link defineFunction}.
 * @param options - host, port, body limit and error hook.
 * @returns the started server.
 * @throws {@link DefinitionError} `ERR_SDK_INVALID_OPTIONS` for an invalid port; rejects when listening fails
 * (e.g. `EADDRINUSE`).
 * @example
 * ```ts
 * const server = await serve([cart, inventory], { port: 8000 });
 * // module.yaml: endpoint url http://127.0.0.1:8000/
 * await server.close();
 * ```
 */
export async function serve(
  functions: readonly StatefulFunction[],
  options: ServeOptions = {},
): Promise<FunctionServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8000;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new DefinitionError(
      'ERR_SDK_INVALID_OPTIONS',
      `Invalid port ${describeValue(port)}: expected a whole number from 0 to 65535 (0 picks a free port).`,
    );
  }
  const listener = createNodeHandler(functions, options);
  // Imported here, not at the top, so that importing the SDK on Fetch-only platforms never loads node:http.
  const { createServer } = await import('node:http');
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return Object.freeze({
    host,
    port: bound,
    url: `http://${urlHost}:${bound}/`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      }),
  });
}
