/**
 * Ordering and batching (docs/runtime.md 2.2, 2.3): messages from one sender address to one target
 * arrive in send order, within one reply and across invocations; never two invocations in flight for one
 * address; the backlog that builds up meanwhile is sent as batches of at most `maxNumBatchRequests`.
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
  Gate,
  createTempDir,
  moduleYaml,
  officialResponder,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type RecordedRequest,
} from '@statehouse/testkit';

const EGRESS = 'bo/out';

interface Burst {
  target: string;
  base: number;
  count: number;
}
interface Numbered {
  seq: number;
}
interface Received {
  target: string;
  seq: number;
  caller: string;
}

function createFifoFunctions(): StateFun {
  const BurstType = StateFun.jsonType<Burst>('bo/Burst');
  const NumberedType = StateFun.jsonType<Numbered>('bo/Numbered');
  const ReceivedType = StateFun.jsonType<Received>('bo/Received');
  const statefun = new StateFun();
  statefun.bind({
    typename: 'bo/sender',
    fn(_context: Context, message: Message) {
      const burst = message.as(BurstType)!;
      for (let i = 0; i < burst.count; i++) {
        _context.send(
          messageBuilder({
            typename: 'bo/target',
            id: burst.target,
            value: { seq: burst.base + i },
            valueType: NumberedType,
          }),
        );
      }
    },
  });
  statefun.bind({
    typename: 'bo/target',
    specs: [{ name: 'seqs', type: StateFun.jsonType<number[]>('bo/Seqs') }],
    fn(context: Context, message: Message) {
      // The official SDK types `storage` as `any`: its properties are the specs above.
      const storage = context.storage as { seqs: number[] | null };
      const { seq } = message.as(NumberedType)!;
      storage.seqs = [...(storage.seqs ?? []), seq];
      const caller = context.caller === null ? '' : `${context.caller.typename}/${context.caller.id}`;
      context.send(
        egressMessageBuilder({
          typename: EGRESS,
          value: { target: context.self.id, seq, caller },
          valueType: ReceivedType,
        }),
      );
    },
  });
  return statefun;
}

describe('batching and order', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('FIFO per sender→receiver: within one reply and across invocations, with two senders interleaving', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(officialResponder(createFifoFunctions()));
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'bo/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'warn' }) },
    });
    const target = `t-${randomUUID()}`;
    const s1 = `s1-${randomUUID()}`;
    const s2 = `s2-${randomUUID()}`;
    const PER_BURST = 25;
    const BURSTS = 4;
    for (let k = 0; k < BURSTS; k++) {
      for (const [sender, offset] of [
        [s1, 0],
        [s2, 1000],
      ] as const) {
        const res = await api.ingressJson('bo/sender', sender, 'bo/Burst', {
          target,
          base: offset + k * PER_BURST,
          count: PER_BURST,
        });
        expect(res.status).toBe(202);
      }
    }
    const total = 2 * BURSTS * PER_BURST;
    const received = await waitFor('all numbered messages', async () => {
      const r = (await api.allEgress(EGRESS))
        .map((x) => x.json as Received)
        .filter((x) => x.target === target);
      return r.length >= total ? r : undefined;
    });
    expect(received).toHaveLength(total);
    const from = (sender: string): number[] =>
      received.filter((r) => r.caller === `bo/sender/${sender}`).map((r) => r.seq);
    const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i);
    expect(from(s1)).toEqual(range(0, BURSTS * PER_BURST));
    expect(from(s2)).toEqual(range(1000, BURSTS * PER_BURST));
    // The state the target built agrees with what it emitted, in the same order.
    const state = await api.state('bo/target', target);
    expect(state.body.values?.['seqs']?.json).toEqual(received.map((r) => r.seq));
    // The service saw every message once, with its caller.
    const invocations = service
      .requestsFor('bo/target', target)
      .filter((r) => r.reply?.kind === 'result')
      .flatMap((r) => r.invocations);
    expect(invocations).toHaveLength(total);
    expect(invocations.map((i) => (JSON.parse(i.value.toString()) as Numbered).seq)).toEqual(
      received.map((r) => r.seq),
    );
    expect(service.maxInFlightPerAddress).toBe(1);
  });

  it('serial per address; the backlog goes out in batches of at most maxNumBatchRequests, in order', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const gate = new Gate();
    cleanups.push(() => Promise.resolve(gate.open()));
    const service = await serveRecording(async (req: RecordedRequest) => {
      await gate.wait();
      // Stay busy a little so that a second request for the same address would overlap if one were sent.
      await new Promise((r) => setTimeout(r, 5));
      return resultReply({
        outgoingEgresses: req.invocations.map((inv) => ({
          egressNamespace: 'bo',
          egressType: 'out',
          argument: { typename: inv.typename, hasValue: true, value: inv.value },
        })),
      });
    });
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [
          { functions: 'bo/serial', urlPathTemplate: `${service.url}/serial`, maxNumBatchRequests: 5 },
        ],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'warn' }) },
    });
    const tag = randomUUID();
    const ids = ['x', 'y', 'z'].map((x) => `${x}-${tag}`);
    const PER_ADDRESS = 14;
    const send = (id: string, n: number) => api.ingressJson('bo/serial', id, 'bo/N', { id, n });

    // The first message of every address goes out at once and hangs at the gate...
    for (const id of ids) expect((await send(id, 0)).status).toBe(202);
    await waitFor('three first requests in flight', () => service.inFlight === 3);
    // ...while the rest accumulates behind it (interleaved over the addresses).
    for (let n = 1; n < PER_ADDRESS; n++) for (const id of ids) expect((await send(id, n)).status).toBe(202);
    expect(service.requests).toHaveLength(3);
    gate.open();

    await waitFor(
      'everything processed',
      async () => (await api.allEgress(EGRESS)).length === ids.length * PER_ADDRESS,
    );
    const records = (await api.allEgress(EGRESS)).map((r) => r.json as { id: string; n: number });
    for (const id of ids) {
      const calls = service.requestsFor('bo/serial', id);
      expect(calls.map((c) => c.invocations.length)).toEqual([1, 5, 5, 3]);
      expect(
        calls.flatMap((c) => c.invocations.map((i) => (JSON.parse(i.value.toString()) as { n: number }).n)),
      ).toEqual(Array.from({ length: PER_ADDRESS }, (_, i) => i));
      expect(records.filter((r) => r.id === id).map((r) => r.n)).toEqual(
        Array.from({ length: PER_ADDRESS }, (_, i) => i),
      );
    }
    expect(service.maxInFlightPerAddress).toBe(1);
    expect(Math.max(...service.requests.map((r) => r.invocations.length))).toBe(5);
  });

  it('without a gate, a steady stream to one address still never overlaps and batches up', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording(async (req: RecordedRequest) => {
      await new Promise((r) => setTimeout(r, 20));
      return resultReply({
        outgoingEgresses: req.invocations.map((inv) => ({
          egressNamespace: 'bo',
          egressType: 'out',
          argument: { typename: inv.typename, hasValue: true, value: inv.value },
        })),
      });
    });
    cleanups.push(() => service.close());
    const { api } = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [
          { functions: 'bo/serial', urlPathTemplate: `${service.url}/serial`, maxNumBatchRequests: 5 },
        ],
        logEgresses: [EGRESS],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'warn' }) },
    });
    const id = `s-${randomUUID()}`;
    const N = 60;
    // Concurrent ingress: arrival order is not defined, so only counts and uniqueness are asserted.
    const answers = await Promise.all(
      Array.from({ length: N }, (_, n) => api.ingressJson('bo/serial', id, 'bo/N', { id, n })),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitFor('all processed', async () => (await api.allEgress(EGRESS)).length === N);
    const sizes = service.requests.map((r) => r.invocations.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(service.maxInFlightPerAddress).toBe(1);
    const seen = service.requests.flatMap((r) =>
      r.invocations.map((i) => (JSON.parse(i.value.toString()) as { n: number }).n),
    );
    expect(new Set(seen).size).toBe(N);
    // Egress records come out in the order the function saw the messages.
    expect((await api.allEgress(EGRESS)).map((r) => (r.json as { n: number }).n)).toEqual(seen);
  });
});
