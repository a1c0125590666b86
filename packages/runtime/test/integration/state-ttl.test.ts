/**
 * State TTL (docs/runtime.md 2.9): `expireAfterWrite` values vanish TTL ms after their last write, reads do
 * not extend them; `expireAfterCall` values are kept alive by every invocation of the address and vanish TTL ms
 * after the last one. Expired values are absent from the state API and reach the function as empty.
 *
 * Time is a ManualClock handed to the runtime: the test moves it past a TTL instead of sleeping, so it checks
 * the exact boundary (one millisecond before and after) and never waits for wall time.
 */
import { randomUUID } from 'node:crypto';
import { StateFun, egressMessageBuilder, type Context, type Message } from 'apache-flink-statefun';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@statehouse/runtime/internal';
import {
  createTempDir,
  moduleYaml,
  officialResponder,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
  type RecordingService,
} from '@statehouse/testkit';

const WRITE_TTL_MS = 1500;
const CALL_TTL_MS = 1200;
const EGRESS = 'ttl/out';

interface Seen {
  id: string;
  n: number;
  saw: string | null;
}

function createTtlFunctions(): StateFun {
  const SeenType = StateFun.jsonType<Seen>('ttl/Seen');
  const statefun = new StateFun();
  const fn = (context: Context, message: Message): void => {
    // The official SDK types `storage` as `any`: its properties are the specs bound below.
    const storage = context.storage as { v: string | null; n: number | null };
    const text = message.asString() ?? '';
    const saw = storage.v;
    const n = (storage.n ?? 0) + 1;
    storage.n = n;
    if (text.startsWith('set:')) storage.v = text.slice(4);
    context.send(
      egressMessageBuilder({ typename: EGRESS, value: { id: context.self.id, n, saw }, valueType: SeenType }),
    );
  };
  statefun.bind({
    typename: 'ttl/write',
    specs: [
      { name: 'v', type: StateFun.stringType(), expireAfterWrite: WRITE_TTL_MS },
      { name: 'n', type: StateFun.intType() },
    ],
    fn,
  });
  statefun.bind({
    typename: 'ttl/call',
    specs: [
      { name: 'v', type: StateFun.stringType(), expireAfterCall: CALL_TTL_MS },
      { name: 'n', type: StateFun.intType() },
    ],
    fn,
  });
  return statefun;
}

const STRING = 'io.statefun.types/string';
/** `io.statefun.types/string` wrapper bytes of a short ASCII string. */
function stringValue(s: string): Uint8Array {
  return s === '' ? new Uint8Array(0) : Uint8Array.from([0x0a, s.length, ...Buffer.from(s)]);
}

describe('state TTL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let clock = new ManualClock(Date.now());

  /** Moves the runtime's clock to `deadline` (never back). */
  function advanceTo(deadline: number): void {
    clock.advance(Math.max(0, deadline - clock.now()));
  }
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function setup(): Promise<{ api: ApiClient; service: RecordingService }> {
    clock = new ManualClock(Date.now());
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(officialResponder(createTtlFunctions()));
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'ttl/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'warn' }), clock },
    });
    return { api, service };
  }

  /** Sends one message and returns the egress record it produced, and when it was observed. */
  async function invoke(
    api: ApiClient,
    type: string,
    id: string,
    text: string,
  ): Promise<{ seen: Seen; at: number }> {
    const before = (await seenOf(api, id)).length;
    const res = await api.ingress(type, id, { typename: STRING, bytes: stringValue(text) });
    expect(res.status).toBe(202);
    const seen = await waitFor(
      `egress record ${before + 1} of ${id}`,
      async () => (await seenOf(api, id))[before],
    );
    return { seen, at: clock.now() };
  }

  async function seenOf(api: ApiClient, id: string): Promise<Seen[]> {
    return (await api.allEgress(EGRESS)).map((r) => r.json as Seen).filter((s) => s.id === id);
  }

  it('expireAfterWrite: the value is gone TTL after the write even though it was read meanwhile', async () => {
    const { api, service } = await setup();
    const id = `w-${randomUUID()}`;
    const sentAt = clock.now();
    const first = await invoke(api, 'ttl/write', id, 'set:a');
    expect(first.seen).toEqual({ id, n: 1, saw: null });
    const state = await api.state('ttl/write', id);
    expect(state.status).toBe(200);
    expect(state.body.values?.['v']).toEqual({
      type: STRING,
      bytes: Buffer.from(stringValue('a')).toString('base64'),
      json: 'a',
    });
    expect(state.body.values?.['n']?.json).toBe(1);

    // Reads inside the TTL see the value and must not extend an after-write TTL.
    const read = await invoke(api, 'ttl/write', id, 'get');
    expect(read.seen).toEqual({ id, n: 2, saw: 'a' });
    advanceTo(first.at + WRITE_TTL_MS / 2);
    await invoke(api, 'ttl/write', id, 'get');

    // One millisecond before the TTL the value is there; at the TTL it is gone (the clock did not move
    // between the write and the time `first.at` was taken).
    advanceTo(first.at + WRITE_TTL_MS - 1);
    expect((await api.state('ttl/write', id)).body.values?.['v']?.json).toBe('a');
    advanceTo(first.at + WRITE_TTL_MS + 1);
    const after = await api.state('ttl/write', id);
    expect(after.status).toBe(200);
    expect(Object.keys(after.body.values ?? {})).toEqual(['n']);
    expect(after.body.values?.['n']?.json).toBe(3);
    expect(clock.now() - sentAt).toBeGreaterThanOrEqual(WRITE_TTL_MS);

    const last = await invoke(api, 'ttl/write', id, 'get');
    expect(last.seen).toEqual({ id, n: 4, saw: null });
    // The function was sent the state without a value (not a stale one).
    const request = service.requestsFor('ttl/write', id).at(-1)!;
    expect([...request.states.keys()].sort()).toEqual(['n', 'v']);
    expect(request.states.get('v')).toBeUndefined();
  });

  it('expireAfterWrite: a new write after expiry starts a fresh TTL', async () => {
    const { api } = await setup();
    const id = `w2-${randomUUID()}`;
    const first = await invoke(api, 'ttl/write', id, 'set:a');
    advanceTo(first.at + WRITE_TTL_MS + 1);
    expect(Object.keys((await api.state('ttl/write', id)).body.values ?? {})).toEqual(['n']);
    const second = await invoke(api, 'ttl/write', id, 'set:b');
    expect(second.seen).toEqual({ id, n: 2, saw: null });
    expect((await api.state('ttl/write', id)).body.values?.['v']?.json).toBe('b');
    expect((await invoke(api, 'ttl/write', id, 'get')).seen).toEqual({ id, n: 3, saw: 'b' });
  });

  it('expireAfterCall: invocations within the TTL keep the value; it expires after TTL of inactivity', async () => {
    const { api, service } = await setup();
    const id = `c-${randomUUID()}`;
    const first = await invoke(api, 'ttl/call', id, 'set:a');
    expect(first.seen).toEqual({ id, n: 1, saw: null });

    // Keep calling for well over twice the TTL; every call must still see the value.
    let n = 1;
    let last = first.at;
    while (last - first.at < 2 * CALL_TTL_MS) {
      advanceTo(last + CALL_TTL_MS / 4);
      const r = await invoke(api, 'ttl/call', id, 'get');
      n += 1;
      expect(r.seen).toEqual({ id, n, saw: 'a' });
      last = r.at;
    }
    expect((await api.state('ttl/call', id)).body.values?.['v']?.json).toBe('a');

    // No more calls: the last one was applied before `last`, so the value has expired TTL later.
    advanceTo(last + CALL_TTL_MS - 1);
    expect((await api.state('ttl/call', id)).body.values?.['v']?.json).toBe('a');
    advanceTo(last + CALL_TTL_MS + 1);
    const after = await api.state('ttl/call', id);
    expect(after.status).toBe(200);
    expect(Object.keys(after.body.values ?? {})).toEqual(['n']);

    const r = await invoke(api, 'ttl/call', id, 'get');
    expect(r.seen).toEqual({ id, n: n + 1, saw: null });
    expect(service.requestsFor('ttl/call', id).at(-1)!.states.get('v')).toBeUndefined();
  });
});
