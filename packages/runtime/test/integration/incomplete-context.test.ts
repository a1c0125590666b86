/**
 * IncompleteInvocationContext (docs/runtime.md 2.8): the first call of a function type learns its state
 * specs through one incomplete round trip and the same batch is resent with the states; the specs are
 * durable, so a restarted runtime on the same data sends them from the first request on; a newly declared
 * state costs exactly one more round trip.
 */
import { randomUUID } from 'node:crypto';
import { StateFun, egressMessageBuilder, type Context, type Message } from 'apache-flink-statefun';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Gate,
  createTempDir,
  metricValue,
  moduleYaml,
  officialResponder,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
  type RecordedRequest,
} from '@statehouse/testkit';

const EGRESS = 'ic/out';
const TYPE = 'ic/counter';
const STRING = 'io.statefun.types/string';
const INT = 'io.statefun.types/int';

interface Counted {
  id: string;
  seen: number;
  extra: string | null;
  argument: string;
}

/** `ic/counter`: counts messages in `seen`; with `withExtra`, also declares `extra` and appends to it. */
function createCounter(withExtra: boolean): StateFun {
  const CountedType = StateFun.jsonType<Counted>('ic/Counted');
  const statefun = new StateFun();
  statefun.bind({
    typename: TYPE,
    specs: withExtra
      ? [
          { name: 'seen', type: StateFun.intType() },
          { name: 'extra', type: StateFun.stringType() },
        ]
      : [{ name: 'seen', type: StateFun.intType() }],
    fn(context: Context, message: Message) {
      // The official SDK types `storage` as `any`: its properties are the specs above (`extra` only withExtra).
      const storage = context.storage as { seen: number | null; extra?: string | null };
      const seen = (storage.seen ?? 0) + 1;
      storage.seen = seen;
      const argument = message.asString() ?? '';
      let extra: string | null = null;
      if (withExtra) {
        extra = `${storage.extra ?? ''}${argument}`;
        storage.extra = extra;
      }
      context.send(
        egressMessageBuilder({
          typename: EGRESS,
          value: { id: context.self.id, seen, extra, argument },
          valueType: CountedType,
        }),
      );
    },
  });
  return statefun;
}

function stringValue(s: string): Uint8Array {
  return Uint8Array.from([0x0a, s.length, ...Buffer.from(s)]);
}

function summary(r: RecordedRequest): { states: string[]; kind: string | undefined; arguments: string[] } {
  return {
    states: [...r.states.keys()].sort(),
    kind: r.reply?.kind,
    arguments: r.invocations.map((i) => i.value.subarray(2).toString()),
  };
}

describe('IncompleteInvocationContext', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function records(api: ApiClient, id: string): Promise<Counted[]> {
    return (await api.allEgress(EGRESS)).map((r) => r.json as Counted).filter((c) => c.id === id);
  }

  async function send(
    api: ApiClient,
    id: string,
    argument: string,
    expectedRecords: number,
  ): Promise<Counted[]> {
    expect((await api.ingress(TYPE, id, { typename: STRING, bytes: stringValue(argument) })).status).toBe(
      202,
    );
    return waitFor(`${expectedRecords} records of ${id}`, async () => {
      const r = await records(api, id);
      return r.length >= expectedRecords ? r : undefined;
    });
  }

  it('learns the specs once, retries the same batch with the states, and remembers them across a restart', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(officialResponder(createCounter(false)));
    cleanups.push(() => service.close());
    const moduleText = moduleYaml({
      endpoints: [{ functions: 'ic/*', urlPathTemplate: `${service.url}/statefun` }],
      logEgresses: [EGRESS],
    });
    const logger = pino({ level: 'warn' });
    const id = `k-${randomUUID()}`;

    // First runtime: one incomplete round trip, then the same invocation with the state list.
    const first = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    expect(await send(first.api, id, 'a', 1)).toEqual([{ id, seen: 1, extra: null, argument: 'a' }]);
    expect(service.requests.map(summary)).toEqual([
      { states: [], kind: 'incomplete', arguments: ['a'] },
      { states: ['seen'], kind: 'result', arguments: ['a'] },
    ]);
    expect(service.requests[1]!.states.get('seen')).toBeUndefined();

    // A second message: no round trip, the value is sent.
    expect(await send(first.api, id, 'b', 2)).toEqual([
      { id, seen: 1, extra: null, argument: 'a' },
      { id, seen: 2, extra: null, argument: 'b' },
    ]);
    expect(service.requests.map(summary).slice(2)).toEqual([
      { states: ['seen'], kind: 'result', arguments: ['b'] },
    ]);
    expect(service.requests[2]!.states.get('seen')).toEqual({
      typename: INT,
      hasValue: true,
      value: Buffer.from([0x0d, 1, 0, 0, 0]),
    });
    // Another address of the same type does not need the round trip either.
    const other = `o-${randomUUID()}`;
    expect(await send(first.api, other, 'x', 1)).toEqual([
      { id: other, seen: 1, extra: null, argument: 'x' },
    ]);
    expect(service.requests.map(summary).slice(3)).toEqual([
      { states: ['seen'], kind: 'result', arguments: ['x'] },
    ]);

    const metrics1 = (await first.api.get<string>('/metrics')).body;
    expect(
      metricValue(metrics1, 'statehouse_incomplete_invocation_contexts_total', { function_type: TYPE }),
    ).toBe(1);
    expect(metricValue(metrics1, 'statehouse_invocations_total', { function_type: TYPE })).toBe(3);
    expect(
      metricValue(metrics1, 'statehouse_invocation_failures_total', { function_type: TYPE }),
    ).toBeUndefined();
    expect((await first.api.state(TYPE, id)).body.values).toEqual({
      seen: { type: INT, bytes: 'DQIAAAA=', json: 2 },
    });
    await first.runtime.close();

    // Restart on the same data: the first request already carries the state list (with the value).
    const before = service.requests.length;
    const second = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    expect((await send(second.api, id, 'c', 3))[2]).toEqual({ id, seen: 3, extra: null, argument: 'c' });
    expect(service.requests.slice(before).map(summary)).toEqual([
      { states: ['seen'], kind: 'result', arguments: ['c'] },
    ]);
    expect(service.requests[before]!.states.get('seen')?.value).toEqual(Buffer.from([0x0d, 2, 0, 0, 0]));
    const metrics2 = (await second.api.get<string>('/metrics')).body;
    expect(
      metricValue(metrics2, 'statehouse_incomplete_invocation_contexts_total', { function_type: TYPE }) ?? 0,
    ).toBe(0);

    // The function now declares one more state: exactly one more round trip, then it is known.
    service.setResponder(officialResponder(createCounter(true)));
    const mark = service.requests.length;
    expect((await send(second.api, id, 'd', 4))[3]).toEqual({ id, seen: 4, extra: 'd', argument: 'd' });
    expect((await send(second.api, id, 'e', 5))[4]).toEqual({ id, seen: 5, extra: 'de', argument: 'e' });
    expect(service.requests.slice(mark).map(summary)).toEqual([
      { states: ['seen'], kind: 'incomplete', arguments: ['d'] },
      { states: ['extra', 'seen'], kind: 'result', arguments: ['d'] },
      { states: ['extra', 'seen'], kind: 'result', arguments: ['e'] },
    ]);
    const metrics3 = (await second.api.get<string>('/metrics')).body;
    expect(
      metricValue(metrics3, 'statehouse_incomplete_invocation_contexts_total', { function_type: TYPE }),
    ).toBe(1);
    expect(
      metricValue(metrics3, 'statehouse_invocation_failures_total', { function_type: TYPE }),
    ).toBeUndefined();
    await second.runtime.close();

    // And the extended spec list survives a second restart.
    const third = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    const mark3 = service.requests.length;
    expect((await send(third.api, id, 'f', 6))[5]).toEqual({ id, seen: 6, extra: 'def', argument: 'f' });
    expect(service.requests.slice(mark3).map(summary)).toEqual([
      { states: ['extra', 'seen'], kind: 'result', arguments: ['f'] },
    ]);
    expect((await third.api.allEgress(EGRESS)).filter((r) => (r.json as Counted).id === id)).toHaveLength(6);
  });

  // Regression: an incomplete reply for a request built before a concurrent invocation learned the specs
  // is not a loop (dispatcher #learnSpecs compares with the specs that request carried).
  it('several addresses of a fresh type invoked at once learn the specs without failed attempts', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    // Hold the first requests until all four addresses have sent theirs: all are built before any spec is known.
    const allArrived = new Gate();
    cleanups.push(() => Promise.resolve(allArrived.open()));
    const official = officialResponder(createCounter(false));
    const service = await serveRecording(async (request, body) => {
      if (service.requests.length >= 4) allArrived.open();
      await allArrived.wait();
      return official(request, body);
    });
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'ic/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }) },
    });
    const ids = Array.from({ length: 4 }, (_, i) => `p${i}-${randomUUID()}`);
    const answers = await Promise.all(
      ids.map((id) => api.ingress(TYPE, id, { typename: STRING, bytes: stringValue('a') })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    for (const id of ids) await waitFor(`record of ${id}`, async () => (await records(api, id)).length === 1);
    for (const id of ids)
      expect(await records(api, id)).toEqual([{ id, seen: 1, extra: null, argument: 'a' }]);

    // Each address may need its own round trip (its first request was built before the specs were known),
    // but none of them is a failed attempt.
    const metrics = (await api.get<string>('/metrics')).body;
    expect(metricValue(metrics, 'statehouse_invocations_total', { function_type: TYPE })).toBe(4);
    const failures = metrics.split('\n').filter((l) => l.startsWith('statehouse_invocation_failures_total{'));
    expect(failures).toEqual([]);
    for (const id of ids) {
      expect(service.requestsFor(TYPE, id).map((r) => r.reply?.kind)).toEqual(['incomplete', 'result']);
    }
  });
});
