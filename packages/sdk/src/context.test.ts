import { describe, expect, test } from 'vitest';
import { address } from './address.js';
import type { Context } from './context.js';
import { defineFunction } from './define-function.js';
import { InvalidArgumentError } from './errors.js';
import { runFunction } from './harness.js';
import { IntType, StringType } from './types/well-known-types.js';

const target = address('example/other', 'x');

async function errorOf(act: (ctx: Context) => void): Promise<unknown> {
  const fn = defineFunction({ type: 'example/misuse', handle: (ctx) => act(ctx) });
  return runFunction(fn, { messages: [{ type: StringType, value: 'go' }] }).then(
    () => {
      throw new Error('expected the function to fail');
    },
    (error: unknown) => error,
  );
}

describe('context: call-time validation', () => {
  test.each([-1, Number.NaN, Infinity, '10' as unknown as number])(
    'sendAfter rejects delay %s',
    async (delay) => {
      const error = await errorOf((ctx) => ctx.sendAfter(delay, target, IntType, 1));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: 'ERR_SDK_INVALID_DELAY' });
    },
  );

  test('the delay message shows the value and a fix', async () => {
    expect(await errorOf((ctx) => ctx.sendAfter(-5, target, IntType, 1))).toMatchObject({
      message:
        'sendAfter got delay -5: the delay is a finite number of milliseconds ≥ 0, e.g. 60_000 for one minute.',
    });
  });

  test('fractional delays round up', async () => {
    const fn = defineFunction({
      type: 'example/later',
      handle: (ctx) => ctx.sendAfter(0.2, target, IntType, 1),
    });
    const result = await runFunction(fn, { messages: [{ type: IntType, value: 0 }] });
    expect(result.delayed[0]?.delayMs).toBe(1);
  });

  test.each([
    ['an empty cancellation token', (ctx: Context) => ctx.cancelDelayedMessage('')],
    ['a non-string cancellation token', (ctx: Context) => ctx.cancelDelayedMessage(7 as unknown as string)],
    [
      'an empty sendAfter token',
      (ctx: Context) => ctx.sendAfter(1, target, IntType, 1, { cancellationToken: '' }),
    ],
  ])('rejects %s', async (_name, act) => {
    expect(await errorOf(act)).toMatchObject({ code: 'ERR_SDK_INVALID_CANCELLATION_TOKEN' });
  });

  test('rejects a malformed target, egress id and value', async () => {
    expect(await errorOf((ctx) => ctx.send({ id: 'x' } as never, IntType, 1))).toMatchObject({
      code: 'ERR_SDK_INVALID_ADDRESS',
    });
    expect(await errorOf((ctx) => ctx.egress('out', IntType, 1))).toMatchObject({
      code: 'ERR_SDK_INVALID_TYPENAME',
    });
    expect(await errorOf((ctx) => ctx.send(target, IntType, 'x' as never))).toMatchObject({
      code: 'ERR_SDK_SERIALIZE_FAILED',
    });
    expect(await errorOf((ctx) => ctx.send(target, { typename: 'a/b' } as never))).toMatchObject({
      code: 'ERR_SDK_INVALID_VALUE',
    });
  });

  test('an error in user code drops every effect of the batch', async () => {
    const fn = defineFunction({
      type: 'example/partial',
      handle(ctx, message) {
        ctx.send(target, message);
        if (message.asInt() === 2) throw new Error('second fails');
      },
    });
    await expect(
      runFunction(fn, {
        messages: [
          { type: IntType, value: 1 },
          { type: IntType, value: 2 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'ERR_SDK_FUNCTION_FAILED', cause: new Error('second fails') });
  });
});
