import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  DefinitionError,
  FunctionError,
  InvalidArgumentError,
  RequestError,
  SDK_ERROR_CODES,
  SerializationError,
  StatefunSdkError,
  describeValue,
} from './errors.js';

describe('errors', () => {
  test('every code is documented in ERRORS.md, and only those', () => {
    const doc = readFileSync(new URL('../ERRORS.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(ERR_SDK_[A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented).toEqual([...SDK_ERROR_CODES]);
  });

  test('codes are unique and shaped ERR_SDK_<WHAT>', () => {
    expect(new Set(SDK_ERROR_CODES).size).toBe(SDK_ERROR_CODES.length);
    for (const code of SDK_ERROR_CODES) expect(code).toMatch(/^ERR_SDK_[A-Z_]+$/);
  });

  test('subclasses carry name, code, retryable and cause', () => {
    const cause = new Error('root');
    const cases: [StatefunSdkError, string, boolean][] = [
      [new DefinitionError('ERR_SDK_INVALID_TYPENAME', 'm'), 'DefinitionError', false],
      [new RequestError('ERR_SDK_INVALID_REQUEST', 400, 'm'), 'RequestError', false],
      [new SerializationError('ERR_SDK_TYPE_MISMATCH', 'm', { cause }), 'SerializationError', false],
      [new InvalidArgumentError('ERR_SDK_INVALID_DELAY', 'm'), 'InvalidArgumentError', false],
      [new FunctionError('m', { cause }), 'FunctionError', true],
      [new FunctionError('m', { retryable: false }), 'FunctionError', false],
    ];
    for (const [error, name, retryable] of cases) {
      expect(error).toBeInstanceOf(StatefunSdkError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.retryable).toBe(retryable);
    }
    expect(cases[2]?.[0].cause).toBe(cause);
    expect(new FunctionError('m').code).toBe('ERR_SDK_FUNCTION_FAILED');
    expect(new RequestError('ERR_SDK_UNKNOWN_FUNCTION', 404, 'm').status).toBe(404);
  });

  test('describeValue shows values readably', () => {
    expect([
      describeValue('a'),
      describeValue(1n),
      describeValue(new Uint8Array(3)),
      describeValue({ a: 1 }),
    ]).toEqual(['"a"', '1n', '3 bytes', '{"a":1}']);
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(() => 1)).toBe('a function');
  });
});
