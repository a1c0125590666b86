/**
 * Function-reply fuzzing: a fake function (a real HTTP server) answers each address's first attempt with a random
 * reply — structured protobuf with valid and invalid parts, the same encoded and then mutated, random bytes, odd
 * statuses and content types — and every later attempt correctly. A probe message sent after the first attempt
 * reads the committed state. The runtime must stay up and healthy, retry (not apply) every reply that fails
 * validation, apply an accepted reply whole, and recover every address; an address whose function keeps answering
 * garbage stalls visibly and recovers once it answers correctly.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FromFunction,
  MutationType,
  type InvocationResponseProps,
  type PersistedValueSpecProps,
  type TypedValueProps,
} from '@statehouse/protocol';
import {
  createTempDir,
  incompleteReply,
  missingSpecs,
  moduleYaml,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type EmbeddedRuntime,
  type RawReply,
  type RecordedRequest,
  type RecordedState,
  type RecordingService,
} from '@statehouse/testkit';
import { FUZZ_SEED, fuzzRuns, fuzzTimeout } from './fuzz-settings.js';

const VAL = 'fr/Val';
const SPECS: PersistedValueSpecProps[] = [{ stateName: 's', typeTypename: VAL }];
const bytes = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
const good = (id: string): InvocationResponseProps => ({
  stateMutations: [
    {
      stateName: 's',
      mutationType: MutationType.MODIFY,
      stateValue: { typename: VAL, hasValue: true, value: bytes({ good: id }) },
    },
  ],
});

/** A typed value, usually well-formed, carrying the address's marker so that anything it reaches can be traced. */
const typed = fc.record({
  typename: fc.constantFrom(VAL, VAL, 'fr/Other', '', 'a/b/c'),
  hasValue: fc.boolean(),
  n: fc.nat(1000),
});
const target = fc.option(
  fc.record({
    namespace: fc.constantFrom('fr', 'fr', 'zz', ''),
    type: fc.constantFrom('sink', 'sink', ''),
    id: fc.constantFrom('a', '', 'x\u0000y', 'é'),
  }),
  { nil: undefined, freq: 8 },
);
const shape = fc.record(
  {
    stateMutations: fc.array(
      fc.record({
        stateName: fc.constantFrom('s', 's', 's', 'undeclared', ''),
        mutationType: fc.constantFrom(0, 1, 1, 1, 7),
        value: typed,
      }),
      { maxLength: 3 },
    ),
    outgoingMessages: fc.array(fc.record({ target, argument: typed }), { maxLength: 2 }),
    delayedInvocations: fc.array(
      fc.record({
        target,
        argument: typed,
        delayInMs: fc.constantFrom(0, 5, -1),
        cancel: fc.boolean(),
        token: fc.constantFrom('', 't1', 't2', 'x'.repeat(600)),
      }),
      { maxLength: 2 },
    ),
    outgoingEgresses: fc.array(
      fc.record({
        ns: fc.constantFrom('fr', 'fr', 'zz'),
        type: fc.constantFrom('out', 'out', 'nope'),
        argument: typed,
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;
type Typed = Shape extends { stateMutations?: (infer M)[] }
  ? M extends { value: infer V }
    ? V
    : never
  : never;

function typedValue(t: Typed, marker: string): TypedValueProps {
  return { typename: t.typename, hasValue: t.hasValue, value: bytes({ marker, n: t.n }) };
}

/** The reply a shape describes, for one address (the marker is `fz-<id>`). */
function replyOf(s: Shape, id: string): InvocationResponseProps {
  const m = `fz-${id}`;
  return {
    stateMutations: (s.stateMutations ?? []).map((x) => ({
      stateName: x.stateName,
      // 7 is no MutationType: an unknown enum value on the wire, which the runtime must refuse.
      mutationType: x.mutationType as MutationType,
      stateValue: typedValue(x.value, m),
    })),
    outgoingMessages: (s.outgoingMessages ?? []).map((x) => ({
      ...(x.target && { target: x.target }),
      argument: typedValue(x.argument, m),
    })),
    delayedInvocations: (s.delayedInvocations ?? []).map((x) => ({
      ...(x.target && { target: x.target }),
      argument: typedValue(x.argument, m),
      delayInMs: x.delayInMs,
      isCancellationRequest: x.cancel,
      cancellationToken: x.token,
    })),
    outgoingEgresses: (s.outgoingEgresses ?? []).map((x) => ({
      egressNamespace: x.ns,
      egressType: x.type,
      argument: typedValue(x.argument, m),
    })),
  };
}

const mutation = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  op: fc.constantFrom('flip', 'cut', 'insert', 'truncate'),
  byte: fc.nat(255),
});
const fuzzCase = fc.record({
  body: fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('shape' as const), shape }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('mutated' as const),
        shape,
        mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('random' as const), data: fc.uint8Array({ maxLength: 80 }) }),
    },
  ),
  status: fc.constantFrom(200, 200, 200, 200, 200, 200, 500, 404, 400, 503),
  contentType: fc.constantFrom<string | null>(
    'application/octet-stream',
    'application/octet-stream',
    'application/octet-stream',
    'text/plain',
    null,
  ),
});
type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never;

function mutate(
  data: Uint8Array,
  mutations: FuzzCase['body'] extends infer B ? (B extends { mutations: infer M } ? M : never) : never,
): Uint8Array {
  let out = Buffer.from(data);
  for (const m of mutations) {
    const at = Math.min(out.length, Math.floor(m.at * out.length));
    if (m.op === 'flip' && at < out.length) out[at] = out[at]! ^ (1 << (m.byte % 8));
    else if (m.op === 'cut') out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else if (m.op === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
    else if (m.op === 'truncate') out = out.subarray(0, at);
  }
  return out;
}

function bodyOf(c: FuzzCase, id: string): Uint8Array {
  if (c.body.kind === 'random') return c.body.data;
  const encoded = resultReply(replyOf(c.body.shape, id)).body as Uint8Array;
  return c.body.kind === 'shape' ? encoded : mutate(encoded, c.body.mutations);
}

/**
 * Why the runtime must refuse a reply (a rule of docs/runtime.md 2.7 checked here independently), or `undefined`
 * when it may accept it. Not every refusal is predicted (e.g. argument typenames): only that these never pass.
 */
function mustRefuse(c: FuzzCase, body: Uint8Array): string | undefined {
  if (c.status !== 200) return `status ${c.status}`;
  // A missing content type is accepted, like StateFun's client does (the Go SDK may omit it).
  if (c.contentType === 'text/plain') return 'content type text/plain';
  let reply: InvocationResponseProps;
  try {
    const decoded = FromFunction.decode(body);
    if (decoded.incompleteInvocationContext != null) return 'incomplete context (retried with the specs)';
    // Neither oneof set: StateFun's runtime takes it as success without effects, and so do we.
    reply = decoded.invocationResult ?? {};
  } catch {
    return 'undecodable';
  }
  for (const m of reply.stateMutations ?? []) {
    const type = Number(m.mutationType ?? MutationType.DELETE);
    const isModify = type === Number(MutationType.MODIFY);
    const isKnown = isModify || type === Number(MutationType.DELETE);
    if (m.stateName !== 's' || !isKnown || (isModify && m.stateValue?.typename !== VAL))
      return 'bad mutation';
  }
  const targets = [
    ...(reply.outgoingMessages ?? []),
    ...(reply.delayedInvocations ?? []).filter((d) => d.isCancellationRequest !== true),
  ];
  for (const t of targets.map((x) => x.target)) {
    if (t == null || t.namespace !== 'fr' || !t.type || (t.id ?? '').includes('\u0000')) return 'bad target';
  }
  for (const d of reply.delayedInvocations ?? []) {
    if (d.isCancellationRequest === true ? !d.cancellationToken : Number(d.delayInMs ?? 0) < 0)
      return 'bad delayed';
  }
  for (const e of reply.outgoingEgresses ?? [])
    if (`${e.egressNamespace}/${e.egressType}` !== 'fr/out') return 'bad egress';
  return undefined;
}

/** The state a reply leaves (fresh address: nothing before it), as its JSON text; `undefined`: none. */
function stateAfter(body: Uint8Array): string | undefined {
  let state: string | undefined;
  for (const m of FromFunction.decode(body).invocationResult?.stateMutations ?? [])
    state =
      Number(m.mutationType ?? MutationType.DELETE) === Number(MutationType.DELETE)
        ? undefined
        : Buffer.from(m.stateValue?.value ?? []).toString();
  return state;
}

interface Address {
  readonly c: FuzzCase;
  readonly body: Uint8Array;
  goAttempts: number;
  probe?: RecordedState | undefined;
  probed: boolean;
}

describe('function reply fuzzing', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const addresses = new Map<string, Address>();
  /** Everything that reached the sink or the egress, as text (markers are searched in it). */
  const reached: string[] = [];
  let rt: EmbeddedRuntime;
  let service: RecordingService;
  let stuck = true;

  function respond(req: RecordedRequest): RawReply {
    if (req.type !== 'fr/f') {
      for (const inv of req.invocations) reached.push(inv.value.toString());
      return resultReply({});
    }
    const missing = missingSpecs(req, SPECS);
    if (missing.length > 0) return incompleteReply(missing);
    if (req.id === 'stuck')
      return stuck ? { body: Uint8Array.from([0xff, 0x01]) } : resultReply(good(req.id));
    const a = addresses.get(req.id);
    if (a === undefined) return resultReply({});
    if (req.invocations.some((inv) => inv.typename === 'fr/Probe')) {
      a.probe = req.states.get('s');
      a.probed = true;
      return resultReply({});
    }
    a.goAttempts += 1;
    if (a.goAttempts > 1) return resultReply(good(req.id));
    return { status: a.c.status, contentType: a.c.contentType, body: a.body };
  }

  beforeAll(async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    service = await serveRecording(respond);
    cleanups.push(() => service.close());
    rt = await startEmbeddedRuntime({
      moduleText: moduleYaml({
        endpoints: [{ functions: 'fr/*', urlPathTemplate: `${service.url}/{function.name}`, call: '1s' }],
        logEgresses: ['fr/out'],
      }),
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }), stalledRetryMaxMs: 100 },
    });
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  let run = 0;
  async function checkBatch(cases: FuzzCase[]): Promise<void> {
    run += 1;
    const ids = cases.map((c, i) => {
      const id = `r${run}-${i}`;
      addresses.set(id, { c, body: bodyOf(c, id), goAttempts: 0, probed: false });
      return id;
    });
    const send = async (type: string): Promise<void> => {
      const answers = await Promise.all(ids.map((id) => rt.api.ingressJson('fr/f', id, type, {})));
      expect(answers.map((a) => a.status)).toEqual(ids.map(() => 202));
    };
    const quick = { intervalMs: 5 };
    await send('fr/Go');
    await waitFor('first attempts', () => ids.every((id) => addresses.get(id)!.goAttempts > 0), quick);
    await send('fr/Probe');
    await waitFor('probes', () => ids.every((id) => addresses.get(id)!.probed), quick);
    expect((await fetch(`${rt.runtime.url}/healthz`)).status).toBe(200);
    expect(rt.runtime.state).toBe('RUNNING');
    for (const id of ids) {
      const a = addresses.get(id)!;
      const refusal = mustRefuse(a.c, a.body);
      const seen = a.probe?.hasValue === true ? a.probe.value.toString() : undefined;
      const what = `${id}: ${refusal ?? 'acceptable'} reply, ${a.goAttempts} attempts, state ${seen}`;
      if (a.goAttempts > 1) {
        // Refused: the retry's good reply is applied, nothing of the refused one.
        expect(seen, what).toBe(JSON.stringify({ good: id }));
        expect(
          reached.filter((r) => r.includes(`"fz-${id}"`)),
          what,
        ).toEqual([]);
      } else {
        expect(refusal, what).toBeUndefined();
        expect(a.probe?.typename ?? VAL, what).toBe(VAL);
        expect(seen, what).toBe(stateAfter(a.body));
      }
    }
  }

  it(
    'never applies a reply that fails validation, applies accepted ones whole, stays up and recovers',
    async () => {
      await fc.assert(fc.asyncProperty(fc.array(fuzzCase, { minLength: 1, maxLength: 12 }), checkBatch), {
        seed: FUZZ_SEED,
        numRuns: fuzzRuns(15, 0.02),
        endOnFailure: true,
      });
      const retried = [...addresses.values()].filter((a) => a.goAttempts > 1).length;
      expect(retried, 'the fuzzer should produce refused replies').toBeGreaterThan(0);
      expect(addresses.size - retried, 'and accepted ones').toBeGreaterThan(0);
    },
    fuzzTimeout(60_000),
  );

  it('an address whose function keeps answering garbage stalls visibly, then recovers', async () => {
    expect((await rt.api.ingressJson('fr/f', 'stuck', 'fr/Go', {})).status).toBe(202);
    const stalled = async (): Promise<string[]> => {
      const body = (await (await fetch(`${rt.runtime.url}/v1/stalled`)).json()) as {
        stalled: { id: string }[];
      };
      return body.stalled.map((s) => s.id);
    };
    await waitFor('stuck stalled', async () => (await stalled()).includes('stuck'), { timeoutMs: 20_000 });
    expect((await fetch(`${rt.runtime.url}/healthz`)).status).toBe(200);
    expect((await rt.api.state('fr/f', 'stuck')).status).toBe(404);
    stuck = false;
    await waitFor('stuck recovered', async () => !(await stalled()).includes('stuck'));
    const state = await rt.api.state('fr/f', 'stuck');
    expect(state.body).toMatchObject({ values: { s: { json: { good: 'stuck' } } } });
  });
});
