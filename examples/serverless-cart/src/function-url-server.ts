/**
 * A local stand-in for an AWS Lambda function URL: a node:http server on loopback that turns each request into the
 * function URL event (payload format 2.0), calls the Lambda handler in this process, and writes its result back.
 * Like a function URL, a handler that throws answers 502; unlike one, there is no auth, no timeout and no
 * concurrency limit.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaHttpEvent, LambdaHttpResult } from '@statehouse/sdk';
import { fromLambdaResult, toFunctionUrlEvent } from './function-url-event.js';

/** A Lambda handler for HTTP events, e.g. `handler` of src/lambda.ts. */
export type HttpLambda = (event: LambdaHttpEvent) => Promise<LambdaHttpResult>;

/** A running local function URL. */
export interface FunctionUrlServer {
  /** `http://127.0.0.1:<port>/`: what module.yaml's `urlPathTemplate` names. */
  readonly url: string;
  /** Lambda invocations so far. */
  readonly invocations: number;
  /** Invocations whose handler threw (answered 502). */
  readonly failures: number;
  /** Stops accepting requests, closes open connections and resolves once closed. */
  close(): Promise<void>;
}

/** Options of {@link startFunctionUrlServer}. */
export interface FunctionUrlServerOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Called with the error of a handler that threw (the request is answered 502). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Serves a Lambda handler on `http://127.0.0.1:<port>/` the way its function URL would.
 *
 * @param handler - the Lambda handler.
 * @param options - port and error hook.
 * @returns the running server.
 * @throws when the port cannot be listened on (e.g. EADDRINUSE: pick another port or 0).
 */
export async function startFunctionUrlServer(
  handler: HttpLambda,
  options: FunctionUrlServerOptions = {},
): Promise<FunctionUrlServer> {
  let invocations = 0;
  let failures = 0;
  const invoke = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const event = toFunctionUrlEvent({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      httpVersion: req.httpVersion,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      body: Buffer.concat(chunks),
    });
    invocations += 1;
    let result: LambdaHttpResult;
    try {
      result = await handler(event);
    } catch (error) {
      failures += 1;
      options.onError?.(error);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Message: 'Internal Server Error' }));
      return;
    }
    const reply = fromLambdaResult(result);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
    res.end(reply.body);
  };
  const server = createServer((req, res) => {
    invoke(req, res).catch((error: unknown) => res.destroy(error as Error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get invocations() {
      return invocations;
    },
    get failures() {
      return failures;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
