/**
 * A bad reply is never applied (docs/runtime.md 2.7, 2.6): for each kind of bad reply the first attempt is
 * refused as a whole, nothing of it reaches state, egress, other functions or timers, and the retried batch's
 * good reply is applied exactly once. A function that keeps failing past its call budget stalls visibly
 * (GET /v1/stalled, metrics) while other function types go on, and recovers with its messages processed once,
 * in order.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { InvocationResponseProps, PersistedValueSpecProps } from '@statehouse/protocol';
import { FromFunction } from '@statehouse/protocol';
import {
  createTempDir,
  incompleteReply,
  metricValue,
  missingSpecs,
  moduleYaml,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
  type RawReply,
  type RecordedRequest,
  type RecordingService,
} from '@statehouse/testkit';

const EGRESS = 'mr/out';
const VAL = 'mr/Val';
const SPECS: PersistedValueSpecProps[] = [{ stateName: 's', typeTypename: VAL }];

const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
const typed = (typename: string, v: unknown) => ({ typename, hasValue: true, value: json(v) });

/** Effects that look fine: a state write, an egress record, a message and a delayed message to the sink. */
function effects(id: string, v: string, prev: unknown): InvocationResponseProps {
  return {
    stateMutations: [{ stateName: 's', mutationType: 1, stateValue: typed(VAL, { v, prev }) }],
    outgoingEgresses: [
      { egressNamespace: 'mr', egressType: 'out', argument: typed('mr/Rec', { from: id, v }) },
    ],
    outgoingMessages: [
      { target: { namespace: 'mr', type: 'sink', id }, argument: typed('mr/Rec', { from: id, v }) },
    ],
    delayedInvocations: [
      {
        delayInMs: 0,
        target: { namespace: 'mr', type: 'sink', id },
        argument: typed('mr/Rec', { from: id, v: `${v}-delayed` }),
      },
    ],
  };
}

interface BadCase {
  readonly name: string;
  readonly reason: string;
  readonly reply: (id: string) => RawReply;
}

const withBad = (id: string, extra: InvocationResponseProps): RawReply => {
  const base = effects(id, 'bad', null);
  return resultReply({
    stateMutations: [...base.stateMutations!, ...(extra.stateMutations ?? [])],
    outgoingEgresses: [...base.outgoingEgresses!, ...(extra.outgoingEgresses ?? [])],
    outgoingMessages: [...base.outgoingMessages!, ...(extra.outgoingMessages ?? [])],
    delayedInvocations: [...base.delayedInvocations!, ...(extra.delayedInvocations ?? [])],
  });
};

const BAD_CASES: BadCase[] = [
  {
    name: 'HTTP 500 with a JSON body',
    reason: 'ERR_INVOKE_HTTP_STATUS',
    reply: () => ({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'boom' }) }),
  },
  {
    name: 'unparsable bytes',
    reason: 'ERR_INVOKE_MALFORMED_REPLY',
    reply: () => ({ body: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]) }),
  },
  {
    name: 'a well-formed reply with the wrong content type',
    reason: 'ERR_INVOKE_CONTENT_TYPE',
    reply: (id) => ({ ...resultReply(effects(id, 'bad', null)), contentType: 'text/plain' }),
  },
  {
    name: 'MODIFY of a state that was never declared',
    reason: 'ERR_REPLY_UNKNOWN_STATE',
    reply: (id) =>
      withBad(id, {
        stateMutations: [{ stateName: 'undeclared', mutationType: 1, stateValue: typed(VAL, 1) }],
      }),
  },
  {
    name: 'MODIFY with the wrong typename',
    reason: 'ERR_REPLY_STATE_TYPE_MISMATCH',
    reply: (id) =>
      resultReply({
        ...effects(id, 'bad', null),
        stateMutations: [{ stateName: 's', mutationType: 1, stateValue: typed('mr/Other', { v: 'bad' }) }],
      }),
  },
  {
    name: 'an egress to an unknown egress id',
    reason: 'ERR_REPLY_UNKNOWN_EGRESS',
    reply: (id) =>
      withBad(id, {
        outgoingEgresses: [{ egressNamespace: 'mr', egressType: 'nope', argument: typed('mr/Rec', 1) }],
      }),
  },
  {
    name: 'a delayed message with a negative delay',
    reason: 'ERR_REPLY_INVALID_DELAY',
    reply: (id) =>
      withBad(id, {
        delayedInvocations: [
          {
            delayInMs: -5,
            target: { namespace: 'mr', type: 'sink', id },
            argument: typed('mr/Rec', { from: id, v: 'neg' }),
          },
        ],
      }),
  },
  {
    name: 'a cancellation with an empty token',
    reason: 'ERR_REPLY_EMPTY_CANCELLATION_TOKEN',
    reply: (id) =>
      withBad(id, { delayedInvocations: [{ isCancellationRequest: true, cancellationToken: '' }] }),
  },
  {
    name: 'a message to an id with a NUL character (text the store cannot keep)',
    reason: 'ERR_REPLY_INVALID_TEXT',
    reply: (id) =>
      withBad(id, {
        outgoingMessages: [
          { target: { namespace: 'mr', type: 'sink', id: `${id}\u0000x` }, argument: typed('mr/Rec', 1) },
        ],
      }),
  },
  {
    name: 'a delayed message with a cancellation token over the size limit',
    reason: 'ERR_REPLY_INVALID_TEXT',
    reply: (id) =>
      withBad(id, {
        delayedInvocations: [
          {
            delayInMs: 10,
            cancellationToken: 't'.repeat(600),
            target: { namespace: 'mr', type: 'sink', id },
            argument: typed('mr/Rec', { from: id, v: 'long-token' }),
          },
        ],
      }),
  },
  {
    name: 'a message to an unbound function type',
    reason: 'ERR_REPLY_UNKNOWN_FUNCTION_TYPE',
    reply: (id) =>
      withBad(id, {
        outgoingMessages: [
          { target: { namespace: 'elsewhere', type: 'fn', id }, argument: typed('mr/Rec', 1) },
        ],
      }),
  },
];

interface Rec {
  from: string;
  v: string;
  sink?: string;
}

/** `mr/sink` echoes what it receives to the egress, marked with its own id. */
function sinkReply(req: RecordedRequest): RawReply {
  return resultReply({
    outgoingEgresses: req.invocations.map((inv) => ({
      egressNamespace: 'mr',
      egressType: 'out',
      argument: typed('mr/Rec', { ...(JSON.parse(inv.value.toString()) as Rec), sink: req.id }),
    })),
  });
}

describe('malformed replies', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function records(api: ApiClient): Promise<Rec[]> {
    return (await api.allEgress(EGRESS)).map((r) => r.json as Rec);
  }

  it.each(BAD_CASES)('$name: nothing of it is applied, the retry is applied once', async (bad) => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const id = `m-${randomUUID()}`;
    let fullAttempts = 0;
    const service = await serveRecording((req) => {
      if (req.type === 'mr/sink') return sinkReply(req);
      const missing = missingSpecs(req, SPECS);
      if (missing.length > 0) return incompleteReply(missing);
      fullAttempts += 1;
      if (fullAttempts === 1) return bad.reply(id);
      const prev = req.states.get('s');
      return resultReply(effects(id, 'good', prev === undefined ? null : JSON.parse(prev.value.toString())));
    });
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'mr/*', urlPathTemplate: `${service.url}/{function.name}` }],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }) },
    });

    expect((await api.ingressJson('mr/f', id, 'mr/Go', { go: 1 })).status).toBe(202);
    await waitFor('good effects', async () => (await records(api)).length >= 3);
    // Per-address FIFO at the sink: once this marker is through, anything the bad reply could have sent is too.
    expect((await api.ingressJson('mr/sink', id, 'mr/Rec', { from: 'marker', v: 'marker' })).status).toBe(
      202,
    );
    await waitFor('marker', async () => (await records(api)).some((r) => r.from === 'marker'));

    const byKey = (a: Rec, b: Rec): number => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect((await records(api)).sort(byKey)).toEqual(
      [
        { from: id, v: 'good' },
        { from: id, v: 'good', sink: id },
        { from: id, v: 'good-delayed', sink: id },
        { from: 'marker', v: 'marker', sink: id },
      ].sort(byKey),
    );
    expect((await api.state('mr/f', id)).body.values).toEqual({
      s: {
        type: VAL,
        bytes: Buffer.from(json({ v: 'good', prev: null })).toString('base64'),
        json: { v: 'good', prev: null },
      },
    });

    const calls = service.requestsFor('mr/f', id);
    expect(calls.map((c) => [...c.states.keys()])).toEqual([[], ['s'], ['s']]);
    expect(calls[2]!.states.get('s')).toBeUndefined();
    expect(calls[2]!.invocations).toEqual(calls[1]!.invocations);
    expect(calls[2]!.reply?.kind).toBe('result');

    const metrics = (await api.get<string>('/metrics')).body;
    const failures = metrics.split('\n').filter((l) => l.startsWith('statehouse_invocation_failures_total{'));
    expect(failures).toEqual([
      `statehouse_invocation_failures_total{function_type="mr/f",reason="${bad.reason}"} 1`,
    ]);
    expect(metricValue(metrics, 'statehouse_invocations_total', { function_type: 'mr/f' })).toBe(1);
    expect(metricValue(metrics, 'statehouse_timers_pending')).toBe(0);
    expect(metricValue(metrics, 'statehouse_egress_records_total', { egress: EGRESS })).toBe(4);
    expect((await api.get<{ stalled: unknown[] }>('/v1/stalled')).body).toEqual({
      stalled: [],
      total: 0,
      truncated: false,
    });
  });

  it('the bad-reply fixtures really are what they claim (a decodable reply carries the effects)', () => {
    const decoded = FromFunction.decode(resultReply(effects('x', 'bad', null)).body as Uint8Array);
    expect(decoded.invocationResult?.stateMutations).toHaveLength(1);
    expect(decoded.invocationResult?.outgoingEgresses).toHaveLength(1);
    expect(() => FromFunction.decode(BAD_CASES[1]!.reply('x').body as Uint8Array)).toThrow();
  });
});

describe('stalled addresses', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  interface StalledEntry {
    functionType: string;
    id: string;
    since: string;
    attempts: number;
    batchSize: number;
    lastError: { code: string; message: string };
  }

  it('a function failing past its call budget is listed in /v1/stalled and metrics; others go on; it recovers in order', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let down = true;
    const echo = (req: RecordedRequest): RawReply =>
      resultReply({
        outgoingEgresses: req.invocations.map((inv) => ({
          egressNamespace: 'mr',
          egressType: 'out',
          argument: { typename: inv.typename, hasValue: true, value: inv.value },
        })),
      });
    const service: RecordingService = await serveRecording((req) => {
      if (req.type === 'st/failing' && down)
        return { status: 500, contentType: 'application/json', body: '{"error":"down"}' };
      return echo(req);
    });
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [
          { functions: 'st/failing', urlPathTemplate: `${service.url}/failing`, call: '500ms' },
          { functions: 'st/ok', urlPathTemplate: `${service.url}/ok` },
        ],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }), stalledRetryMaxMs: 100 },
    });
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    const payloads = async (tag: string): Promise<number[]> =>
      (await api.allEgress(EGRESS))
        .map((r) => r.json as { tag: string; n: number })
        .filter((p) => p.tag === tag)
        .map((p) => p.n);

    const sentAt = Date.now();
    for (const n of [1, 2, 3])
      expect((await api.ingressJson('st/failing', a, 'st/Msg', { tag: a, n })).status).toBe(202);
    expect((await api.ingressJson('st/ok', b, 'st/Msg', { tag: b, n: 1 })).status).toBe(202);
    await waitFor('st/ok processed', async () => (await payloads(b)).length === 1);

    const stalled = async (): Promise<StalledEntry[]> =>
      (await api.get<{ stalled: StalledEntry[] }>('/v1/stalled')).body.stalled;
    const entry = await waitFor('a stalled', async () => (await stalled()).find((s) => s.id === a), {
      timeoutMs: 10_000,
    });
    expect(entry).toEqual({
      functionType: 'st/failing',
      id: a,
      since: expect.any(String) as string,
      attempts: expect.any(Number) as number,
      // The batch of the failing attempt: it is read again from the store at each attempt, so messages that
      // arrived meanwhile join it (1, 2 and 3 are sent before it stalls).
      batchSize: expect.any(Number) as number,
      lastError: { code: 'ERR_INVOKE_HTTP_STATUS', message: expect.stringContaining('HTTP 500') as string },
    });
    expect(entry.batchSize).toBeGreaterThanOrEqual(1);
    expect(entry.batchSize).toBeLessThanOrEqual(3);
    expect(await stalled()).toHaveLength(1);
    expect(Date.parse(entry.since)).toBeGreaterThanOrEqual(sentAt + 500);
    expect(Date.parse(entry.since)).toBeLessThanOrEqual(Date.now());
    expect(entry.attempts).toBeGreaterThanOrEqual(2);
    let metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_stalled_addresses', { function_type: 'st/failing' })).toBe(1);
    expect(metricValue(metrics, 'statehouse_stalled_addresses', { function_type: 'st/ok' }) ?? 0).toBe(0);

    // Still retried while stalled; another function type is served meanwhile.
    await waitFor(
      'more attempts',
      async () => ((await stalled()).find((s) => s.id === a)?.attempts ?? 0) > entry.attempts,
    );
    expect((await api.ingressJson('st/ok', b, 'st/Msg', { tag: b, n: 2 })).status).toBe(202);
    await waitFor('st/ok processed while a is stalled', async () => (await payloads(b)).length === 2);
    expect((await stalled()).map((s) => s.id)).toEqual([a]);
    expect(await payloads(a)).toEqual([]);
    // Every attempt starts with the first message, in order: a stalled address waits without its batch and
    // reads it again from the store, so later messages may join it, never overtake it.
    const tried = service
      .requestsFor('st/failing', a)
      .map((r) => r.invocations.map((i) => (JSON.parse(i.value.toString()) as { n: number }).n));
    expect(tried.length).toBeGreaterThanOrEqual(2);
    for (const batch of tried) expect([[1], [1, 2], [1, 2, 3]]).toContainEqual(batch);

    down = false;
    await waitFor('a recovered', async () => (await stalled()).length === 0);
    await waitFor('a processed', async () => (await payloads(a)).length >= 3);
    expect((await api.ingressJson('st/failing', a, 'st/Msg', { tag: a, n: 4 })).status).toBe(202);
    await waitFor('a processed the later message', async () => (await payloads(a)).length >= 4);
    expect(await payloads(a)).toEqual([1, 2, 3, 4]);
    expect(await payloads(b)).toEqual([1, 2]);
    const succeeded = service.requestsFor('st/failing', a).filter((r) => r.reply?.status === 200);
    expect(
      succeeded.flatMap((r) => r.invocations.map((i) => (JSON.parse(i.value.toString()) as { n: number }).n)),
    ).toEqual([1, 2, 3, 4]);
    metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_stalled_addresses', { function_type: 'st/failing' }) ?? 0).toBe(
      0,
    );
    expect(service.maxInFlightPerAddress).toBe(1);
  });

  // docs/runtime.md 2.6: a stalled address must not hold one of the bounded invocation slots while it waits,
  // or enough stalled addresses would stop every other address.
  it('stalled addresses do not use up maxInFlightInvocations: other function types go on', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let down = true;
    const service = await serveRecording((req) =>
      req.type === 'st/failing' && down ? { status: 500, body: 'down' } : resultReply({}),
    );
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [
          { functions: 'st/failing', urlPathTemplate: `${service.url}/failing`, call: '200ms' },
          { functions: 'st/ok', urlPathTemplate: `${service.url}/ok` },
        ],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }), maxInFlightInvocations: 2, stalledRetryMaxMs: 100 },
    });
    // Runs first at cleanup: lets the stalled loops finish so that close() does not wait for its grace period.
    cleanups.push(() => {
      down = false;
      return Promise.resolve();
    });
    const tag = randomUUID();
    for (const id of [`a-${tag}`, `b-${tag}`])
      expect((await api.ingressJson('st/failing', id, 'st/Msg', {})).status).toBe(202);
    await waitFor(
      'both stalled',
      async () => (await api.get<{ stalled: unknown[] }>('/v1/stalled')).body.stalled.length === 2,
    );
    expect((await api.ingressJson('st/ok', `c-${tag}`, 'st/Msg', {})).status).toBe(202);
    await waitFor(
      'st/ok invoked while two addresses are stalled',
      () => service.requestsFor('st/ok', `c-${tag}`).length === 1,
      {
        timeoutMs: 3_000,
      },
    );
  });
});
