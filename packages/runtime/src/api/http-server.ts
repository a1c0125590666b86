/**
 * The HTTP API (docs/runtime.md section 4) on node:http: ingress, egress log reads, state reads, stalled
 * addresses, health, readiness and metrics, and the web console's routes (`console-routes.ts`). Every error answers
 * `{"error": {"code", "message"}}`.
 */
import { parseTypeName } from '@statehouse/protocol';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { FunctionAddress } from '../core/address.js';
import { redactUrlsIn } from '../core/redact-url.js';
import { ApiError, ConfigError, SnapshotError, StatehouseError, StoreError } from '../errors.js';
import type { ApiAuth, ApiCaller, ApiScope } from './api-auth.js';
import { applyServerLimits, checkHeaders, type ApiLimits } from './api-limits.js';
import { readTlsFiles, type ApiTlsFiles } from './api-tls.js';
import type { StoredValue } from '../store/store.js';
import type { ApiValue } from '../core/value-json.js';
import { isDeadLetterAction, serveDeadLetters } from './dead-letter-routes.js';
import type { DeadLetterBackend } from './dead-letters.js';
import { decodeSegments, intParam, methodNotAllowed, readBody, sendJson, snapshotTarget } from './http-io.js';
import { ingressIdempotencyKey, ingressTarget, ingressTypename } from './ingress-request.js';
import { assignRequestId, logWhenServed } from './request-log.js';
import { isConsoleAction, isConsolePage, serveConsole } from './console-routes.js';
import type { ConsoleAssets } from './console-assets.js';
import type { ConsoleBackend } from './console-backend.js';

/** What the API serves; implemented by the runtime. */
export interface ApiBackend {
  /** Enqueues an ingress message once committed. @throws {@link ApiError} */
  ingress(
    target: FunctionAddress,
    argument: StoredValue,
    idempotencyKey: string | undefined,
    traceparent?: string,
  ): Promise<{ messageId: string }>;
  /**
   * Reads a log egress; when nothing is at `from` yet, waits up to `waitMs` for records to be committed.
   *
   * @throws {@link ApiError} 404 when no such log egress exists.
   */
  readEgress(
    egressId: string,
    from: number,
    limit: number,
    waitMs: number,
  ): Promise<{ records: unknown[]; next: number }>;
  /** Reads the committed state of an address; `undefined` when it has none. */
  readState(address: FunctionAddress): Promise<Record<string, ApiValue> | undefined>;
  /** Stalled addresses, oldest first: the first `limit`, of one function type when given, and how many in all. */
  stalled(query: { readonly limit: number; readonly functionType: string | undefined }): {
    readonly stalled: unknown[];
    readonly total: number;
  };
  /** The backlog per function type, counted now. */
  backlog(): Promise<unknown[]>;
  /** Each ingress connector (Kafka) with its state, partitions, positions and lag. */
  connectors(): Promise<unknown[]>;
  /** Why the runtime does not serve now (`status` names the condition), or `undefined` when it is ready. */
  notReady(): { readonly status: string; readonly reason: string } | undefined;
  /** The Prometheus exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Counts an answered ingress request by status. */
  countIngress(status: number): void;
  /** Takes a snapshot of the store now (`POST /v1/admin/snapshots`). @throws {@link SnapshotError} */
  snapshot(to: string): Promise<unknown>;
  /** The dead letters: list, show, replay, discard (`/v1/dead-letters`). */
  readonly deadLetters: DeadLetterBackend;
  /** Writes the committed state of one function type (or all) as JSON lines (`GET /v1/admin/state`). */
  exportState(functionType: string | undefined, write: (line: string) => Promise<void>): Promise<number>;
}

/** Settings of the API server. */
export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxIngressBytes: number;
  /** Limits of requests, connections and egress reads. */
  readonly limits: ApiLimits;
  /** Who may call which route; `undefined`: an open API. */
  readonly auth?: ApiAuth | undefined;
  /** TLS (HTTPS, and mutual TLS with a client CA); `undefined`: plain HTTP. */
  readonly tls?: ApiTlsFiles | undefined;
}

/** The scope a non-ingress route needs, or `undefined` for the open ones (health, readiness, open metrics). */
function scopeOf(pathname: string, method: string, auth: ApiAuth): ApiScope | undefined {
  if (pathname === '/healthz' || pathname === '/readyz' || isConsolePage(pathname)) return undefined;
  if (pathname === '/metrics') return auth.isMetricsProtected ? 'read' : undefined;
  return pathname.startsWith('/v1/admin/') ||
    isDeadLetterAction(pathname, method) ||
    isConsoleAction(pathname)
    ? 'admin'
    : 'read';
}

/** Stalled addresses answered at most, and by default (a failing type may stall 100,000 of them). */
const MAX_STALLED_LIMIT = 10_000;
const DEFAULT_STALLED_LIMIT = 1_000;

/** The HTTP API server. */
export class ApiServer {
  readonly #backend: ApiBackend;
  readonly #options: ApiServerOptions;
  readonly #log: Logger;
  readonly #server: Server;
  readonly #console: { readonly backend: ConsoleBackend; readonly assets: ConsoleAssets } | undefined;
  #closing = false;

  /** @param deps.console - the web console's routes and files; without it, `/console` answers 404. */
  constructor(
    deps: {
      readonly backend: ApiBackend;
      readonly log: Logger;
      readonly console?: { readonly backend: ConsoleBackend; readonly assets: ConsoleAssets } | undefined;
    },
    options: ApiServerOptions,
  ) {
    const { backend, log } = deps;
    this.#backend = backend;
    this.#console = deps.console;
    this.#options = options;
    this.#log = log.child({ component: 'api' });
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const requestId = assignRequestId(req, res);
      logWhenServed(this.#log, req, res, requestId);
      this.#handle(req, res).catch((err: unknown) => this.#fail(res, err, requestId));
    };
    const tls = options.tls;
    const maxHeaderSize = options.limits.maxHeaderBytes;
    this.#server =
      tls === undefined
        ? createServer({ maxHeaderSize, requireHostHeader: false }, handler)
        : createHttpsServer(
            {
              ...readTlsFiles(tls),
              maxHeaderSize,
              requireHostHeader: false,
              requestCert: tls.clientCaFile !== undefined,
              rejectUnauthorized: tls.clientCaFile !== undefined,
            },
            handler,
          );
    this.#server.keepAliveTimeout = 65_000;
    applyServerLimits(this.#server, options.limits, this.#log);
  }

  /** Starts listening. @returns the bound address. */
  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void => {
        const where = `${this.#options.host}:${this.#options.port}`;
        const why =
          err.code === 'EADDRINUSE'
            ? 'the address is in use'
            : err.code === 'EACCES'
              ? 'permission denied'
              : err.message;
        reject(
          new ConfigError(
            'ERR_CONFIG_LISTEN_FAILED',
            `cannot listen on ${where}: ${why}; choose another host:port for the listen option (port 0 picks a free one)`,
            { cause: err },
          ),
        );
      };
      this.#server.once('error', fail);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', fail);
        resolve();
      });
    });
    const addr = this.#server.address() as AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  /** Whether the API serves HTTPS. */
  get isTls(): boolean {
    return this.#options.tls !== undefined;
  }

  /**
   * Reads the TLS files again and serves new connections with them; open connections are not dropped.
   *
   * @throws {@link ConfigError} `ERR_CONFIG_TLS_FILES`, or the TLS library's error for files that do not form a
   *   certificate and key; the old certificate stays in use.
   */
  reloadTls(): void {
    const tls = this.#options.tls;
    if (tls === undefined) return;
    (this.#server as HttpsServer).setSecureContext(readTlsFiles(tls));
  }

  /** Stops intake: new ingress requests answer 503 while in-flight ones finish. */
  stopIntake(): void {
    this.#closing = true;
  }

  /** Closes the server and its idle connections. */
  async close(): Promise<void> {
    this.#closing = true;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      setTimeout(() => this.#server.closeAllConnections(), 2_000).unref();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Split by hand rather than with `new URL`: this runs for every ingress request. Segments are
    // percent-decoded later, one by one, so an encoded "/" inside an id stays inside it.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const parts = pathname.split('/').slice(1);
    const method = req.method ?? 'GET';
    const auth = this.#options.auth;
    checkHeaders(req, this.#options.limits.maxHeaders);
    if (parts[0] === 'v1' && parts[1] === 'ingress') {
      try {
        const caller = auth?.check(req.headers.authorization, { scope: 'ingress' });
        if (method !== 'POST') throw methodNotAllowed(method, 'POST');
        await this.#ingress(req, res, parts.slice(2), caller);
        this.#backend.countIngress(202);
      } catch (err) {
        this.#backend.countIngress(err instanceof ApiError ? err.status : 500);
        throw err;
      }
      return;
    }
    const scope = auth === undefined ? undefined : scopeOf(pathname, method, auth);
    if (scope !== undefined) auth!.check(req.headers.authorization, { scope });
    const query = q < 0 ? '' : raw.slice(q + 1);
    if (parts[0] === 'v1' && parts[1] === 'dead-letters') {
      await serveDeadLetters(this.#backend.deadLetters, method, parts.slice(2), query, res);
      return;
    }
    if (pathname === '/v1/admin/snapshots') {
      if (method !== 'POST') throw methodNotAllowed(method, 'POST');
      sendJson(res, 200, await this.#backend.snapshot(await snapshotTarget(req)));
      return;
    }
    if (
      this.#console !== undefined &&
      (await serveConsole(this.#console, req, res, { method, pathname, parts }))
    )
      return;
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET');
    if (await this.#serveFixedRoute(pathname, query, res)) return;
    if (await this.#serveAddressedRoute(parts, query, res)) return;
    throw new ApiError(
      404,
      'ERR_API_NOT_FOUND',
      `no route for ${method} ${pathname}; see docs/runtime.md for the HTTP API`,
    );
  }

  /** Serves the routes without parameters. @returns whether `pathname` was one of them. */
  async #serveFixedRoute(pathname: string, query: string, res: ServerResponse): Promise<boolean> {
    switch (pathname) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return true;
      case '/readyz': {
        const notReady = this.#closing
          ? { status: 'stopping', reason: 'the runtime is shutting down' }
          : this.#backend.notReady();
        if (notReady === undefined) sendJson(res, 200, { status: 'ready' });
        else sendJson(res, 503, notReady);
        return true;
      }
      case '/metrics': {
        const m = await this.#backend.metrics();
        res.writeHead(200, { 'content-type': m.contentType });
        res.end(m.body);
        return true;
      }
      case '/v1/stalled': {
        const params = new URLSearchParams(query);
        const limit = Math.min(intParam(params, 'limit', DEFAULT_STALLED_LIMIT), MAX_STALLED_LIMIT);
        const functionType = params.get('functionType') ?? undefined;
        if (functionType !== undefined && parseTypeName(functionType) === undefined) {
          throw new ApiError(
            400,
            'ERR_API_MALFORMED_QUERY',
            `query parameter functionType=${JSON.stringify(functionType)} must be a function type, namespace/name`,
          );
        }
        const { stalled, total } = this.#backend.stalled({ limit, functionType });
        sendJson(res, 200, { stalled, total, truncated: stalled.length < total });
        return true;
      }
      case '/v1/backlog':
        sendJson(res, 200, { backlog: await this.#backend.backlog() });
        return true;
      case '/v1/connectors':
        sendJson(res, 200, { connectors: await this.#backend.connectors() });
        return true;
      case '/v1/admin/state':
        await this.#exportState(new URLSearchParams(query), res);
        return true;
    }
    return false;
  }

  /** Serves the egress and state reads, whose path names what to read. @returns whether `parts` was one. */
  async #serveAddressedRoute(parts: string[], query: string, res: ServerResponse): Promise<boolean> {
    if (parts[0] === 'v1' && parts[1] === 'egress' && parts.length === 4) {
      const [ns, name] = decodeSegments(parts.slice(2));
      const params = new URLSearchParams(query);
      // A negative `from` reads the last |from| records (`statehouse egress tail`).
      const from = intParam(params, 'from', 0, true);
      const { maxEgressLimit, maxEgressWaitMs } = this.#options.limits;
      const limit = Math.min(intParam(params, 'limit', 100), maxEgressLimit);
      const waitMs = Math.min(intParam(params, 'wait', 0), maxEgressWaitMs);
      sendJson(res, 200, await this.#backend.readEgress(`${ns}/${name}`, from, limit, waitMs));
      return true;
    }
    if (parts[0] === 'v1' && parts[1] === 'state' && parts.length === 5) {
      const [ns, name, id] = decodeSegments(parts.slice(2));
      const values = await this.#backend.readState({ type: `${ns}/${name}`, id: id! });
      if (values === undefined) {
        throw new ApiError(404, 'ERR_API_NO_STATE', `address ${ns}/${name}/${id} has no state`);
      }
      sendJson(res, 200, { values });
      return true;
    }
    return false;
  }

  /** Streams `state export` lines; an error after the first line ends the response early (the client sees it cut). */
  async #exportState(params: URLSearchParams, res: ServerResponse): Promise<void> {
    const functionType = params.get('functionType') ?? undefined;
    if (functionType !== undefined && parseTypeName(functionType) === undefined)
      throw new ApiError(
        400,
        'ERR_API_MALFORMED_QUERY',
        `functionType=${JSON.stringify(functionType)} must be namespace/name`,
      );
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // A client that goes away ends the export: its read transaction must not stay open waiting for `drain`.
    const closed = once(res, 'close').catch(() => undefined);
    await this.#backend.exportState(functionType, async (line) => {
      if (res.destroyed) throw new Error('the client closed the state export');
      if (!res.write(`${line}\n`)) await Promise.race([once(res, 'drain'), closed]);
    });
    res.end();
  }

  async #ingress(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    caller: ApiCaller | undefined,
  ): Promise<void> {
    if (this.#closing) {
      throw new ApiError(
        503,
        'ERR_API_SHUTTING_DOWN',
        'the runtime is shutting down; retry against another process or later',
        {
          retryAfterSeconds: 1,
        },
      );
    }
    const target = ingressTarget(parts, this.#options.limits.maxIdBytes);
    if (caller !== undefined) this.#options.auth?.checkFunctionType(caller, target.type);
    const typename = ingressTypename(req);
    const idempotencyKey = ingressIdempotencyKey(req);
    const body = await readBody(req, this.#options.maxIngressBytes);
    // A client's W3C trace context: the message's trace continues the client's (ignored when tracing is off).
    const traceparent = req.headers.traceparent;
    const result = await this.#backend.ingress(
      target,
      { typename, value: body },
      idempotencyKey,
      typeof traceparent === 'string' ? traceparent : undefined,
    );
    sendJson(res, 202, result);
  }

  #fail(res: ServerResponse, err: unknown, requestId: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof ApiError) {
      const headers: Record<string, string> = { ...err.headers };
      if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
      sendJson(res, err.status, { error: { ...err.details, code: err.code, message: err.message } }, headers);
      return;
    }
    if (err instanceof SnapshotError) {
      const status =
        err.code === 'ERR_SNAPSHOT_INVALID_LOCATION'
          ? 400
          : err.code === 'ERR_SNAPSHOT_BLOB_FAILED'
            ? 502
            : 500;
      this.#log.warn({ requestId, err: redactUrlsIn(err.message), code: err.code }, 'snapshot failed');
      sendJson(res, status, { error: { code: err.code, message: err.message } });
      return;
    }
    if (err instanceof StoreError && err.retryable) {
      // The store is restarting, unreachable or full: a moment's trouble, not a bug behind this request.
      this.#log.warn(
        { requestId, err: err.message, code: err.code },
        'request failed: the store is unavailable',
      );
      sendJson(
        res,
        503,
        {
          error: {
            code: 'ERR_API_STORE_UNAVAILABLE',
            message: `the store is unavailable (${err.code}); retry shortly`,
          },
        },
        { 'retry-after': '1' },
      );
      return;
    }
    const code = err instanceof StatehouseError ? err.code : 'ERR_API_INTERNAL';
    this.#log.error({ requestId, err }, 'request failed');
    sendJson(res, 500, { error: { code, message: 'internal error; see the runtime log' } });
  }
}
