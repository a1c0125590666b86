/**
 * Traces: with the OTEL_* variables set, the runtime exports OTLP spans for ingress, each invocation, each commit
 * and egress shipping, one trace per ingress message across cart → inventory → cart, and sends the invocation
 * span's `traceparent` to the function, where `@statehouse/sdk` shows it as `ctx.trace`. Without them nothing is
 * exported and the function sees no trace. The receiver is a node:http server decoding OTLP/HTTP JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import { defineFunction, serve, type InvocationTrace, type StatefulFunction } from '@statehouse/sdk';
import { ApiClient, createTempDir, waitFor } from '@statehouse/testkit';
import { cart, inventory } from '../../../../examples/shopping-cart/src/index.js';

/** A span as OTLP/JSON encodes it (ids in hex), with its attributes flattened. */
interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly attributes: Record<string, string | number | boolean | undefined>;
  readonly links: readonly { traceId: string; spanId: string }[];
  readonly serviceName: string | undefined;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
}
interface OtlpExport {
  resourceSpans: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans: { spans?: OtlpSpan[] }[];
  }[];
}

function valueOf(v: OtlpValue): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.boolValue;
}

function flatten(
  attributes: OtlpKeyValue[] | undefined,
): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries((attributes ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** An OTLP/HTTP receiver: every span of every export request, and the number of requests. */
async function startReceiver(cleanups: (() => Promise<void>)[]) {
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const rs of body.resourceSpans) {
        const serviceName = flatten(rs.resource?.attributes)['service.name'];
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId === '' ? undefined : s.parentSpanId,
              name: s.name,
              attributes: flatten(s.attributes),
              links: s.links ?? [],
              serviceName: typeof serviceName === 'string' ? serviceName : undefined,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { url, spans, requests: () => requests };
}

/** A webhook that acknowledges every delivery. */
async function startWebhook(
  cleanups: (() => Promise<void>)[],
): Promise<{ url: string; count: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, count: () => count };
}

/** The example's functions, each recording the trace its invocations saw. */
function recording(): {
  functions: StatefulFunction[];
  seen: { type: string; trace: InvocationTrace | undefined }[];
} {
  const seen: { type: string; trace: InvocationTrace | undefined }[] = [];
  const functions = [cart, inventory].map((fn) =>
    defineFunction({
      type: fn.type,
      state: fn.state,
      handle(ctx, message) {
        seen.push({ type: fn.type, trace: ctx.trace });
        return fn.handle(ctx, message);
      },
    }),
  );
  return { functions, seen };
}

const OTEL_VARS = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_SERVICE_NAME'];

describe('traces', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
    for (const name of OTEL_VARS) delete process.env[name];
  });

  async function startCart(
    webhookUrl: string,
    options: { dataDir?: string; functionsUrl?: string } = {},
  ): Promise<{ runtime: Runtime; seen: ReturnType<typeof recording>['seen'] }> {
    const { functions, seen } = recording();
    let functionsUrl = options.functionsUrl;
    if (functionsUrl === undefined) {
      const service = await serve(functions, { port: 0 });
      cleanups.push(() => service.close());
      functionsUrl = service.url;
    }
    let dataDir = options.dataDir;
    if (dataDir === undefined) {
      const dir = await createTempDir();
      cleanups.push(() => dir.cleanup());
      dataDir = dir.path;
    }
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text: [
          'kind: io.statefun.endpoints.v2/http',
          'spec:',
          '  functions: example/*',
          `  urlPathTemplate: ${functionsUrl}statefun`,
          '---',
          'kind: io.statehouse.egress.v1/http',
          'spec:',
          '  id: example/cart-results',
          `  url: ${webhookUrl}`,
          '---',
          'kind: io.statehouse.egress.v1/log',
          'spec:',
          '  id: example/orders',
        ].join('\n'),
      },
    ]);
    const runtime = await createRuntime({
      module,
      dataDir,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    });
    cleanups.push(() => runtime.close());
    return { runtime, seen };
  }

  it('exports one trace per ingress message across cart → inventory → cart, with parents, links and attributes', async () => {
    const receiver = await startReceiver(cleanups);
    const webhook = await startWebhook(cleanups);
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = receiver.url;
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '50';
    process.env['OTEL_SERVICE_NAME'] = 'statehouse-traces-test';
    const { runtime, seen } = await startCart(webhook.url);
    const api = new ApiClient(runtime.url);

    const add = { userId: 'Kim', itemId: 'cap', quantity: 1 };
    expect((await api.ingressJson('example/cart', 'Kim', 'example/AddToCart', add)).status).toBe(202);
    await waitFor(
      'the egress shipping span',
      () => receiver.spans.some((s) => s.name === 'statehouse.egress.ship'),
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor(
      'three commit spans',
      () => receiver.spans.filter((s) => s.name === 'statehouse.commit').length >= 3,
      {
        timeoutMs: 10_000,
      },
    );

    const spans = receiver.spans;
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [ingress] = byName('statehouse.ingress');
    expect(ingress).toBeDefined();
    expect(byName('statehouse.ingress')).toHaveLength(1);
    // One trace for the message and everything it caused.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([ingress!.traceId]));
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['statehouse-traces-test']));
    expect(ingress!.parentSpanId).toBeUndefined();
    expect(ingress!.attributes).toMatchObject({
      'statehouse.function.type': 'example/cart',
      'statehouse.function.id': 'Kim',
      'statehouse.ingress.source': 'http',
    });

    // cart → inventory → cart, each invocation the child of the one whose message it handles.
    // The first invocation of each type learns its state specs (an incomplete-context reply, outcome "again"):
    // attempt 1, then attempt 2 of the same batch, both children of the same message's span.
    const invocations = byName('statehouse.invoke');
    const done = invocations.filter((s) => s.attributes['statehouse.invocation.outcome'] === 'done');
    expect(done.map((s) => s.attributes['statehouse.function.type'])).toEqual([
      'example/cart',
      'example/inventory',
      'example/cart',
    ]);
    const [first, second, third] = done as [ReceivedSpan, ReceivedSpan, ReceivedSpan];
    expect(first.parentSpanId).toBe(ingress!.spanId);
    expect(second.parentSpanId).toBe(first.spanId);
    expect(third.parentSpanId).toBe(second.spanId);
    expect(first.attributes).toMatchObject({
      'statehouse.function.id': 'Kim',
      'statehouse.invocation.batch_size': 1,
      'statehouse.invocation.attempt': 2,
    });
    const again = invocations.filter((s) => s.attributes['statehouse.invocation.outcome'] === 'again');
    expect(again.map((s) => [s.attributes['statehouse.invocation.attempt'], s.parentSpanId])).toEqual([
      [1, ingress!.spanId],
      [1, first.spanId],
    ]);
    expect(third.attributes['statehouse.invocation.attempt']).toBe(1);
    expect(second.attributes['statehouse.function.id']).toBe('cap');

    // Each invocation's effects commit in a child span; the egress record ships in a child of its producer.
    const commits = byName('statehouse.commit');
    expect(new Set(commits.map((s) => s.parentSpanId))).toEqual(
      new Set([first.spanId, second.spanId, third.spanId]),
    );
    const [ship] = byName('statehouse.egress.ship');
    expect(ship!.parentSpanId).toBe(third.spanId);
    expect(ship!.attributes).toMatchObject({
      'statehouse.egress.id': 'example/cart-results',
      'statehouse.egress.records': 1,
      'statehouse.egress.first_offset': 0,
    });
    expect(webhook.count()).toBe(1);

    // The SDK got each invocation span's traceparent as ctx.trace (user code runs on complete contexts only).
    expect(seen.map((s) => [s.type, s.trace?.traceId, s.trace?.spanId])).toEqual([
      ['example/cart', ingress!.traceId, first.spanId],
      ['example/inventory', ingress!.traceId, second.spanId],
      ['example/cart', ingress!.traceId, third.spanId],
    ]);
  });

  it('continues a client traceparent, and links the other messages of a batch', async () => {
    const receiver = await startReceiver(cleanups);
    const webhook = await startWebhook(cleanups);
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = receiver.url;
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '50';
    const { runtime } = await startCart(webhook.url);
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpan = '00f067aa0ba902b7';
    // Two messages for one inventory address in one request each; both may land in one batch.
    const answers = await Promise.all(
      ['a', 'b'].map((user, i) =>
        fetch(`${runtime.url}/v1/ingress/example/inventory/hat`, {
          method: 'POST',
          headers: {
            'statefun-type': 'example/Restock',
            ...(i === 0 ? { traceparent: `00-${clientTrace}-${clientSpan}-01` } : {}),
          },
          body: JSON.stringify({ itemId: 'hat', quantity: 1 }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    await waitFor(
      'a commit span',
      () => receiver.spans.filter((s) => s.name === 'statehouse.commit').length >= 1,
      {
        timeoutMs: 10_000,
      },
    );
    await runtime.close(); // flushes every span
    const ingresses = receiver.spans.filter((s) => s.name === 'statehouse.ingress');
    expect(ingresses).toHaveLength(2);
    const fromClient = ingresses.find((s) => s.traceId === clientTrace);
    expect(fromClient?.parentSpanId).toBe(clientSpan);
    const other = ingresses.find((s) => s !== fromClient)!;
    expect(other.parentSpanId).toBeUndefined();
    // Each invocation continues its first message's trace and links the other's (when batched together).
    for (const invoke of receiver.spans.filter((s) => s.name === 'statehouse.invoke')) {
      const size = invoke.attributes['statehouse.invocation.batch_size'];
      const parent = ingresses.find((s) => s.spanId === invoke.parentSpanId);
      expect(parent).toBeDefined();
      expect(invoke.traceId).toBe(parent!.traceId);
      if (size === 2)
        expect(invoke.links.map((l) => l.spanId)).toEqual([ingresses.find((s) => s !== parent)!.spanId]);
    }
  });

  it('continues the trace of a message read from the store after a restart', async () => {
    const receiver = await startReceiver(cleanups);
    const webhook = await startWebhook(cleanups);
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = receiver.url;
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '50';
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    // First run: the function service is not there (a port nobody listens on), so the message stays in the inbox.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const first = await startCart(webhook.url, { dataDir: dir.path, functionsUrl: downUrl });
    const add = { userId: 'Kim', itemId: 'cap', quantity: 1 };
    const api = new ApiClient(first.runtime.url);
    expect((await api.ingressJson('example/cart', 'Kim', 'example/AddToCart', add)).status).toBe(202);
    // Each failed attempt's span counts on over the address's failing streak (every retry is a new run).
    const failed = await waitFor('two failed attempts', () => {
      const spans = receiver.spans.filter((s) => s.name === 'statehouse.invoke');
      return spans.length >= 2 ? spans : undefined;
    });
    expect(failed.slice(0, 2).map((s) => s.attributes['statehouse.invocation.attempt'])).toEqual([1, 2]);
    await first.runtime.close(); // flushes the ingress span and the failed attempts
    const ingress = receiver.spans.find((s) => s.name === 'statehouse.ingress');
    expect(ingress).toBeDefined();

    // Second run on the same data directory: the message comes from the store, with its traceparent.
    const second = await startCart(webhook.url, { dataDir: dir.path });
    await waitFor(
      'the egress shipping span',
      () => receiver.spans.some((s) => s.name === 'statehouse.egress.ship'),
      {
        timeoutMs: 10_000,
      },
    );
    const done = receiver.spans.filter(
      (s) => s.name === 'statehouse.invoke' && s.attributes['statehouse.invocation.outcome'] === 'done',
    );
    expect(done[0]?.attributes['statehouse.function.type']).toBe('example/cart');
    expect(done[0]?.parentSpanId).toBe(ingress!.spanId);
    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([ingress!.traceId]));
    expect(second.seen[0]?.trace?.traceId).toBe(ingress!.traceId);
  });

  it('exports nothing without the OTEL_* variables, and sends the function no trace', async () => {
    const receiver = await startReceiver(cleanups);
    const webhook = await startWebhook(cleanups);
    const { runtime, seen } = await startCart(webhook.url);
    const api = new ApiClient(runtime.url);
    const add = { userId: 'Kim', itemId: 'cap', quantity: 1 };
    expect((await api.ingressJson('example/cart', 'Kim', 'example/AddToCart', add)).status).toBe(202);
    await waitFor('the webhook delivery', () => webhook.count() === 1, { timeoutMs: 10_000 });
    await runtime.close(); // would flush spans, had there been any
    expect(receiver.requests()).toBe(0);
    expect(seen.map((s) => [s.type, s.trace])).toEqual([
      ['example/cart', undefined],
      ['example/inventory', undefined],
      ['example/cart', undefined],
    ]);
  });
});
