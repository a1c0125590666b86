/**
 * Zero values are values: int 0, string "" and bool false encode to zero bytes (proto3 defaults), and must
 * still be present (not null) for the function, in the state API and in messages, also after a restart that
 * reads them back from SQLite.
 */
import { randomUUID } from 'node:crypto';
import {
  StateFun,
  egressMessageBuilder,
  messageBuilder,
  type Context,
  type Message,
} from 'apache-flink-statefun';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTempDir,
  moduleYaml,
  officialResponder,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
} from '@statehouse/testkit';

const INT = 'io.statefun.types/int';
const STRING = 'io.statefun.types/string';
const BOOL = 'io.statefun.types/bool';
const EGRESS = 'zv/out';
const INTS = 'zv/ints';

interface Seen {
  id: string;
  op: string;
  i: number | null;
  s: string | null;
  b: boolean | null;
}

interface Echo {
  id: string;
  typename: string;
  value: number | string | boolean | null;
}

function createFunctions(): StateFun {
  const SeenType = StateFun.jsonType<Seen>('zv/Seen');
  const EchoType = StateFun.jsonType<Echo>('zv/Echo');
  const statefun = new StateFun();
  statefun.bind({
    typename: 'zv/holder',
    specs: [
      { name: 'i', type: StateFun.intType() },
      { name: 's', type: StateFun.stringType() },
      { name: 'b', type: StateFun.booleanType() },
    ],
    fn(context: Context, message: Message) {
      // The official SDK types `storage` as `any`: its properties are the specs above.
      const storage = context.storage as { i: number | null; s: string | null; b: boolean | null };
      const op = message.asString() ?? '';
      const seen: Seen = { id: context.self.id, op, i: storage.i, s: storage.s, b: storage.b };
      if (op === 'set-ones') {
        storage.i = 1;
        storage.s = 'x';
        storage.b = true;
      } else if (op === 'set-zeros') {
        storage.i = 0;
        storage.s = '';
        storage.b = false;
      } else if (op === 'send-zeros') {
        const target = `e-${context.self.id}`;
        context.send(
          messageBuilder({ typename: 'zv/echo', id: target, value: 0, valueType: StateFun.intType() }),
        );
        context.send(
          messageBuilder({ typename: 'zv/echo', id: target, value: '', valueType: StateFun.stringType() }),
        );
        context.send(
          messageBuilder({
            typename: 'zv/echo',
            id: target,
            value: false,
            valueType: StateFun.booleanType(),
          }),
        );
        context.send(egressMessageBuilder({ typename: INTS, value: 0, valueType: StateFun.intType() }));
      }
      context.send(egressMessageBuilder({ typename: EGRESS, value: seen, valueType: SeenType }));
    },
  });
  statefun.bind({
    typename: 'zv/echo',
    fn(context: Context, message: Message) {
      const typename = message.valueTypeName;
      const value = message.isInt()
        ? message.asInt()
        : message.isString()
          ? message.asString()
          : message.isBoolean()
            ? message.asBoolean()
            : 'other';
      context.send(
        egressMessageBuilder({
          typename: EGRESS,
          value: { id: context.self.id, typename, value },
          valueType: EchoType,
        }),
      );
    },
  });
  return statefun;
}

function stringValue(s: string): Uint8Array {
  return Uint8Array.from([0x0a, s.length, ...Buffer.from(s)]);
}

describe('zero values', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function recordsOf<T extends { id: string }>(api: ApiClient, id: string): Promise<T[]> {
    return (await api.allEgress(EGRESS)).map((r) => r.json as T).filter((r) => r.id === id);
  }

  async function op(api: ApiClient, id: string, name: string): Promise<Seen> {
    const before = (await recordsOf<Seen>(api, id)).length;
    expect((await api.ingress('zv/holder', id, { typename: STRING, bytes: stringValue(name) })).status).toBe(
      202,
    );
    return waitFor(`record of ${name}`, async () => (await recordsOf<Seen>(api, id))[before]);
  }

  it('int 0, string "" and bool false survive as present values, in memory and after a restart', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(officialResponder(createFunctions()));
    cleanups.push(() => service.close());
    const moduleText = moduleYaml({
      endpoints: [{ functions: 'zv/*', urlPathTemplate: `${service.url}/statefun` }],
      logEgresses: [EGRESS, INTS],
    });
    const logger = pino({ level: 'warn' });
    const id = `z-${randomUUID()}`;

    const first = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    expect(await op(first.api, id, 'get')).toEqual({ id, op: 'get', i: null, s: null, b: null });
    expect(await op(first.api, id, 'set-ones')).toEqual({ id, op: 'set-ones', i: null, s: null, b: null });
    expect(await op(first.api, id, 'set-zeros')).toEqual({ id, op: 'set-zeros', i: 1, s: 'x', b: true });
    expect(await op(first.api, id, 'get')).toEqual({ id, op: 'get', i: 0, s: '', b: false });

    const expectedState = {
      i: { type: INT, bytes: '', json: 0 },
      s: { type: STRING, bytes: '', json: '' },
      b: { type: BOOL, bytes: '', json: false },
    };
    const state = await first.api.state('zv/holder', id);
    expect(state.status).toBe(200);
    expect(state.body.values).toEqual(expectedState);
    // On the wire: each state is sent as present, with zero bytes.
    const last = service.requestsFor('zv/holder', id).at(-1)!;
    expect(Object.fromEntries(last.states)).toEqual({
      i: { typename: INT, hasValue: true, value: Buffer.alloc(0) },
      s: { typename: STRING, hasValue: true, value: Buffer.alloc(0) },
      b: { typename: BOOL, hasValue: true, value: Buffer.alloc(0) },
    });
    await first.runtime.close();

    // Read back from SQLite (fresh cache).
    const second = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger },
    });
    expect((await second.api.state('zv/holder', id)).body.values).toEqual(expectedState);
    expect(await op(second.api, id, 'get')).toEqual({ id, op: 'get', i: 0, s: '', b: false });
  });

  it('messages and egress records with zero values arrive as present values', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(officialResponder(createFunctions()));
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'zv/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [EGRESS, INTS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'warn' }) },
    });

    // From ingress: an empty body is the zero value of its type.
    const direct = `d-${randomUUID()}`;
    for (const typename of [INT, STRING, BOOL]) {
      expect((await api.ingress('zv/echo', direct, { typename, bytes: new Uint8Array(0) })).status).toBe(202);
    }
    const fromIngress = await waitFor('three echoes', async () => {
      const r = await recordsOf<Echo>(api, direct);
      return r.length === 3 ? r : undefined;
    });
    expect(fromIngress).toEqual([
      { id: direct, typename: INT, value: 0 },
      { id: direct, typename: STRING, value: '' },
      { id: direct, typename: BOOL, value: false },
    ]);
    for (const r of service.requestsFor('zv/echo', direct)) {
      for (const inv of r.invocations) expect(inv.value).toEqual(Buffer.alloc(0));
    }

    // From a function: zero-valued messages and an egress record of int 0.
    const sender = `s-${randomUUID()}`;
    await op(api, sender, 'send-zeros');
    const echoed = await waitFor('three echoes from a function', async () => {
      const r = await recordsOf<Echo>(api, `e-${sender}`);
      return r.length === 3 ? r : undefined;
    });
    expect(echoed).toEqual([
      { id: `e-${sender}`, typename: INT, value: 0 },
      { id: `e-${sender}`, typename: STRING, value: '' },
      { id: `e-${sender}`, typename: BOOL, value: false },
    ]);
    const callers = service
      .requestsFor('zv/echo', `e-${sender}`)
      .flatMap((r) => r.invocations.map((i) => i.caller));
    expect(callers).toEqual([
      { type: 'zv/holder', id: sender },
      { type: 'zv/holder', id: sender },
      { type: 'zv/holder', id: sender },
    ]);
    expect(await api.allEgress(INTS)).toEqual([{ offset: 0, type: INT, bytes: '', json: 0 }]);
  });
});
