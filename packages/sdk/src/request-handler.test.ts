import { ExpireMode, MutationType } from '@statehouse/protocol';
import { describe, expect, test, vi } from 'vitest';
import { decodeResponse, encodeRequest, toHex, type TestValue } from '../test/support/wire.js';
import { address } from './address.js';
import { defineFunction, type StatefulFunction } from './define-function.js';
import { FunctionError, type StatefunSdkError } from './errors.js';
import { createRequestHandler, type SdkResponse } from './request-handler.js';
import { jsonType } from './types/json-type.js';
import { IntType, StringType } from './types/well-known-types.js';
import { valueSpec } from './value-spec.js';

const Items = jsonType<Record<string, number>>('example/items');
const target = { namespace: 'example', name: 'counter', id: 'c1' };
const str = (s: string): TestValue => ({ typename: StringType.typename, bytes: StringType.serialize(s) });
const int = (n: number): TestValue => ({ typename: IntType.typename, bytes: IntType.serialize(n) });
const hexOf = (v: TestValue): string => toHex(v.bytes);

const counter = defineFunction({
  type: 'example/counter',
  state: {
    count: valueSpec(IntType, { expireAfterWrite: 60_000 }),
    items: valueSpec(Items, { expireAfterCall: 1_000 }),
    label: valueSpec(StringType),
  },
  handle(ctx, message) {
    const command = message.asString();
    if (command === 'inc') ctx.state.count = (ctx.state.count ?? 0) + 1;
    if (command === 'reset') ctx.state.count = 0;
    if (command === 'forget') delete ctx.state.count;
    if (command === 'report') ctx.send(address('example/log', 'all'), IntType, ctx.state.count ?? -1);
    if (command === 'fail') throw new Error('boom');
  },
});

const allState = { count: undefined, items: undefined, label: undefined };

async function call(body: Uint8Array, fns: readonly StatefulFunction[] = [counter]): Promise<SdkResponse> {
  return createRequestHandler(fns).handle(body);
}

function json(response: SdkResponse): unknown {
  return JSON.parse(new TextDecoder().decode(response.body));
}

describe('createRequestHandler: incomplete invocation context', () => {
  test('lists every missing spec with its expiration and typename, without running user code', async () => {
    const handle = vi.fn();
    const fn = defineFunction({ ...counter, type: 'example/counter', state: counter.state, handle });
    const response = await call(
      encodeRequest({ target, state: { items: undefined }, invocations: [{ argument: str('inc') }] }),
      [fn],
    );
    expect(response.status).toBe(200);
    expect(decodeResponse(response.body)).toMatchObject({
      kind: 'incomplete',
      missing: [
        {
          name: 'count',
          typename: 'io.statefun.types/int',
          expiration: { mode: ExpireMode.AFTER_WRITE, millis: 60_000 },
        },
        { name: 'label', typename: 'io.statefun.types/string', expiration: null },
      ],
    });
    expect(handle).not.toHaveBeenCalled();
  });

  test('encodes AFTER_INVOKE for expireAfterCall', async () => {
    const response = await call(encodeRequest({ target, invocations: [{ argument: str('inc') }] }));
    expect(decodeResponse(response.body).missing[1]).toEqual({
      name: 'items',
      typename: 'example/items',
      expiration: { mode: ExpireMode.AFTER_INVOKE, millis: 1_000 },
    });
  });
});

describe('createRequestHandler: batches', () => {
  test('runs invocations in order, later ones seeing earlier state changes', async () => {
    const response = await call(
      encodeRequest({
        target,
        state: { ...allState, count: int(5) },
        invocations: ['inc', 'report', 'inc', 'report'].map((c) => ({ argument: str(c) })),
      }),
    );
    const plain = decodeResponse(response.body);
    expect(plain.messages.map((m) => m.argument?.hex)).toEqual([hexOf(int(6)), hexOf(int(7))]);
    expect(plain.mutations).toEqual([
      {
        type: MutationType.MODIFY,
        name: 'count',
        value: { typename: IntType.typename, hasValue: true, hex: hexOf(int(7)) },
      },
    ]);
  });

  test('only changed values produce mutations', async () => {
    const unchanged = await call(
      encodeRequest({
        target,
        state: { ...allState, count: int(1) },
        invocations: [{ argument: str('report') }],
      }),
    );
    expect(decodeResponse(unchanged.body).mutations).toEqual([]);
  });

  test('DELETE for a removed value, and a zero value is MODIFY with empty bytes', async () => {
    const deleted = await call(
      encodeRequest({
        target,
        state: { ...allState, count: int(1) },
        invocations: [{ argument: str('forget') }],
      }),
    );
    expect(decodeResponse(deleted.body).mutations).toEqual([
      { type: MutationType.DELETE, name: 'count', value: null },
    ]);
    const zero = await call(
      encodeRequest({ target, state: allState, invocations: [{ argument: str('reset') }] }),
    );
    expect(decodeResponse(zero.body).mutations).toEqual([
      {
        type: MutationType.MODIFY,
        name: 'count',
        value: { typename: IntType.typename, hasValue: true, hex: '' },
      },
    ]);
  });

  test('an empty result is still FromFunction{invocation_result{}} (A2 06 00), never zero bytes', async () => {
    const response = await call(
      encodeRequest({ target, state: allState, invocations: [{ argument: str('noop') }] }),
    );
    expect(toHex(response.body)).toBe('a20600');
    expect(response.headers).toEqual({ 'Content-Type': 'application/octet-stream', 'Content-Length': '3' });
  });

  test('ignores extra states it does not declare', async () => {
    const response = await call(
      encodeRequest({ target, state: { ...allState, old: int(1) }, invocations: [{ argument: str('inc') }] }),
    );
    expect(decodeResponse(response.body).mutations.map((m) => m.name)).toEqual(['count']);
  });
});

describe('createRequestHandler: effects', () => {
  test('collects effects in protocol order, delayed sends and cancellations in call order', async () => {
    const log = address('example/log', 'all');
    const fn = defineFunction({
      type: 'example/effects',
      state: { n: valueSpec(IntType) },
      handle(ctx, message) {
        ctx.egress('example/out', StringType, `egress ${message.asString()}`);
        ctx.cancelDelayedMessage('t0');
        ctx.sendAfter(1500, log, StringType, 'later', { cancellationToken: 't1' });
        ctx.send(log, StringType, 'now');
        ctx.sendAfter(0, log, message);
        ctx.state.n = 1;
        ctx.send(log, message);
      },
    });
    const response = await call(
      encodeRequest({
        target: { namespace: 'example', name: 'effects', id: 'e' },
        state: { n: undefined },
        invocations: [{ argument: str('a'), caller: { namespace: 'example', name: 'caller', id: 'x' } }],
      }),
      [fn],
    );
    const plain = decodeResponse(response.body);
    expect(plain.mutations.map((m) => m.name)).toEqual(['n']);
    expect(plain.messages).toEqual([
      {
        target: 'example/log/all',
        argument: { typename: StringType.typename, hasValue: true, hex: hexOf(str('now')) },
      },
      {
        target: 'example/log/all',
        argument: { typename: StringType.typename, hasValue: true, hex: hexOf(str('a')) },
      },
    ]);
    expect(plain.delayed).toEqual([
      { cancel: true, token: 't0', delayMs: 0, target: null, argument: null },
      {
        cancel: false,
        token: 't1',
        delayMs: 1500,
        target: 'example/log/all',
        argument: { typename: StringType.typename, hasValue: true, hex: hexOf(str('later')) },
      },
      {
        cancel: false,
        token: '',
        delayMs: 0,
        target: 'example/log/all',
        argument: { typename: StringType.typename, hasValue: true, hex: hexOf(str('a')) },
      },
    ]);
    expect(plain.egress).toEqual([
      {
        namespace: 'example',
        type: 'out',
        argument: { typename: StringType.typename, hasValue: true, hex: hexOf(str('egress a')) },
      },
    ]);
  });

  test('exposes self and caller per invocation', async () => {
    const seen: unknown[] = [];
    const fn = defineFunction({
      type: 'example/who',
      handle(ctx) {
        seen.push([ctx.self, ctx.caller]);
      },
    });
    const who = { namespace: 'example', name: 'who', id: 'me' };
    const other = { namespace: 'example', name: 'other', id: 'you' };
    await call(
      encodeRequest({
        target: who,
        invocations: [{ argument: str('1'), caller: other }, { argument: str('2') }],
      }),
      [fn],
    );
    const me = { namespace: 'example', name: 'who', type: 'example/who', id: 'me' };
    expect(seen).toEqual([
      [me, { namespace: 'example', name: 'other', type: 'example/other', id: 'you' }],
      [me, undefined],
    ]);
  });
});

describe('createRequestHandler: errors', () => {
  test('a throwing function answers 500 {code, message, retryable} and returns nothing of the batch', async () => {
    const onError = vi.fn<(error: StatefunSdkError, status: number) => void>();
    const response = await createRequestHandler([counter], { onError }).handle(
      encodeRequest({
        target,
        state: allState,
        invocations: ['inc', 'fail'].map((c) => ({ argument: str(c) })),
      }),
    );
    expect(response.status).toBe(500);
    expect(response.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({
      code: 'ERR_SDK_FUNCTION_FAILED',
      message:
        'Function example/counter (id "c1") failed on message 2 of 2: boom. Its effects were dropped; the runtime ' +
        'retries the batch.',
      retryable: true,
    });
    expect(onError).toHaveBeenCalledWith(expect.any(FunctionError), 500);
  });

  test('an SDK error thrown in user code keeps its code', async () => {
    const fn = defineFunction({ type: 'example/strict', handle: (_ctx, message) => void message.asInt() });
    const response = await call(
      encodeRequest({ target: { ...target, name: 'strict' }, invocations: [{ argument: str('x') }] }),
      [fn],
    );
    expect(json(response)).toMatchObject({ code: 'ERR_SDK_TYPE_MISMATCH', retryable: false });
  });

  test('a non-retryable FunctionError thrown by the user is passed on', async () => {
    const fn = defineFunction({
      type: 'example/final',
      handle() {
        throw new FunctionError('order 7 is cancelled', { retryable: false });
      },
    });
    const response = await call(
      encodeRequest({ target: { ...target, name: 'final' }, invocations: [{ argument: str('x') }] }),
      [fn],
    );
    expect(json(response)).toEqual({
      code: 'ERR_SDK_FUNCTION_FAILED',
      message: 'order 7 is cancelled',
      retryable: false,
    });
  });

  test('bytes that are not a ToFunction answer 400', async () => {
    const response = await call(new TextEncoder().encode('hello world'));
    expect(response.status).toBe(400);
    expect(json(response)).toEqual({
      code: 'ERR_SDK_INVALID_REQUEST',
      message: expect.stringContaining(
        'The request body (11 bytes) is not a serialized ToFunction',
      ) as string,
    });
  });

  test('an empty body (no invocation) answers 400', async () => {
    const response = await call(new Uint8Array(0));
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({
      message: expect.stringContaining('without an invocation') as string,
    });
  });

  test('an unknown function type answers 404 naming the served types', async () => {
    const response = await call(encodeRequest({ target: { ...target, name: 'nope' }, invocations: [] }));
    expect(response.status).toBe(404);
    expect(json(response)).toMatchObject({
      code: 'ERR_SDK_UNKNOWN_FUNCTION',
      message: expect.stringContaining(
        'No function of type example/nope is served here (served: example/counter)',
      ) as string,
    });
  });

  test('a body over maxRequestBytes answers 413', async () => {
    const response = await createRequestHandler([counter], { maxRequestBytes: 4 }).handle(new Uint8Array(5));
    expect(response.status).toBe(413);
  });

  test('rejects duplicate functions and bad options at creation', () => {
    expect(() => createRequestHandler([counter, counter])).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_DUPLICATE_FUNCTION' }),
    );
    expect(() => createRequestHandler([counter], { maxRequestBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_OPTIONS' }),
    );
    expect(() => createRequestHandler([{}] as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SDK_INVALID_FUNCTION' }),
    );
  });
});
