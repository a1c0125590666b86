/**
 * Differential: failure paths. Both SDKs answer a non-2xx status for the same failures, which is all the
 * runtime looks at (it retries any non-2xx). The bodies differ by design: the official SDK answers an empty
 * 500 for every failure; ours answers JSON `{code, message[, retryable]}` and a precise status (400 for a
 * request that is not a ToFunction, 404 for an unknown function type).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StringType, defineFunction } from '../../src/index.js';
import { encodeRequest } from '../support/wire.js';
import { startPair, type ServerPair } from './servers.js';

const ours = defineFunction({
  type: 'example/fails',
  handle() {
    throw new Error('broken');
  },
});

let pair: ServerPair;
beforeAll(async () => {
  pair = await startPair([ours], (statefun) =>
    statefun.bind({
      typename: 'example/fails',
      fn() {
        throw new Error('broken');
      },
    }),
  );
});
afterAll(() => pair.close());

const invocations = [{ argument: { typename: StringType.typename, bytes: StringType.serialize('x') } }];
const text = (body: Uint8Array): string => new TextDecoder().decode(body);

describe('compat: failures', () => {
  test('a throwing function: 500 from both; ours explains it in JSON', async () => {
    const { ours: a, official: b } = await pair.exchange(
      encodeRequest({ target: { namespace: 'example', name: 'fails', id: '1' }, invocations }),
    );
    expect([a.status, b.status]).toEqual([500, 500]);
    expect(b.body).toHaveLength(0);
    expect(JSON.parse(text(a.body))).toMatchObject({ code: 'ERR_SDK_FUNCTION_FAILED', retryable: true });
  });

  test('an unknown function type: official 500, ours 404', async () => {
    const { ours: a, official: b } = await pair.exchange(
      encodeRequest({ target: { namespace: 'example', name: 'nope', id: '1' }, invocations }),
    );
    expect([a.status, b.status]).toEqual([404, 500]);
    expect(JSON.parse(text(a.body))).toMatchObject({ code: 'ERR_SDK_UNKNOWN_FUNCTION' });
  });

  test('a ToFunction without invocation: official 500, ours 400', async () => {
    const { ours: a, official: b } = await pair.exchange(new Uint8Array(0));
    expect([a.status, b.status]).toEqual([400, 500]);
    expect(JSON.parse(text(a.body))).toMatchObject({ code: 'ERR_SDK_INVALID_REQUEST' });
  });

  test('success answers have the same status and content type', async () => {
    const ok = defineFunction({ type: 'example/ok', handle() {} });
    const okPair = await startPair([ok], (statefun) => statefun.bind({ typename: 'example/ok', fn() {} }));
    try {
      const { ours: a, official: b } = await okPair.exchange(
        encodeRequest({ target: { namespace: 'example', name: 'ok', id: '1' }, invocations }),
      );
      expect([a.status, a.contentType]).toEqual([b.status, b.contentType]);
      expect(a.body).toEqual(b.body);
    } finally {
      await okPair.close();
    }
  });
});
