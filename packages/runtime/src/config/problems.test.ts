/**
 * problems.ts: a zod issue becomes a module.yaml problem with the right code, the full field path, what is
 * accepted and the value seen; paths and values are written the way YAML users read them.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeValue, formatPath, isRecord, raise, toFieldProblem, type FieldProblem } from './problems.js';

/** Parses `input` the way load-module does and turns its first issue into a problem under `spec`. */
function problemOf(schema: z.ZodType, input: unknown): FieldProblem {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) throw new Error('the input was accepted');
  return toFieldProblem(parsed.error.issues[0]!, ['spec']);
}

describe('toFieldProblem', () => {
  it('names an unknown key with its path (ERR_CONFIG_UNKNOWN_FIELD)', () => {
    const problem = problemOf(z.strictObject({ transport: z.strictObject({ call: z.string() }) }), {
      transport: { call: '1s', cal: '2s' },
    });
    expect(problem).toMatchObject({ code: 'ERR_CONFIG_UNKNOWN_FIELD', path: ['spec', 'transport', 'cal'] });
  });

  it('says a missing field is required (ERR_CONFIG_MISSING_FIELD)', () => {
    expect(problemOf(z.strictObject({ url: z.string() }), {})).toEqual({
      code: 'ERR_CONFIG_MISSING_FIELD',
      path: ['spec', 'url'],
      message: 'is required',
    });
  });

  it('names the expected type and the value seen (ERR_CONFIG_INVALID_VALUE)', () => {
    expect(problemOf(z.strictObject({ url: z.string() }), { url: 12 })).toEqual({
      code: 'ERR_CONFIG_INVALID_VALUE',
      path: ['spec', 'url'],
      message: 'expected a string, got 12',
    });
    expect(problemOf(z.strictObject({ items: z.array(z.string()) }), { items: { a: 1 } }).message).toBe(
      'expected a list, got a mapping',
    );
  });

  it('lists the accepted values of an enum', () => {
    expect(problemOf(z.strictObject({ mode: z.enum(['a', 'b']) }), { mode: 'c' }).message).toBe(
      'expected one of "a", "b", got "c"',
    );
    expect(problemOf(z.strictObject({ kind: z.literal('x') }), { kind: 'y' }).message).toBe(
      'expected "x", got "y"',
    );
  });

  it('reads a discriminated union by its discriminator', () => {
    const schema = z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('http') }),
      z.strictObject({ type: z.literal('async') }),
    ]);
    expect(problemOf(schema, { type: 'grpc' })).toEqual({
      code: 'ERR_CONFIG_INVALID_VALUE',
      path: ['spec', 'type'],
      message: 'expected one of "http", "async", got "grpc"',
    });
    expect(problemOf(schema, {})).toEqual({
      code: 'ERR_CONFIG_MISSING_FIELD',
      path: ['spec', 'type'],
      message: 'is required; expected one of "http", "async"',
    });
  });

  it('carries the key of a single-entry mapping (Kafka properties)', () => {
    const properties = z.array(z.unknown()).superRefine((_, ctx) => {
      raise(ctx, 'ERR_CONFIG_UNSUPPORTED_PROPERTY', 'not honoured', undefined, {
        path: [0],
        showInput: false,
        entryKey: 'ssl.keystore.location',
      });
    });
    expect(problemOf(z.strictObject({ properties }), { properties: [{}] })).toEqual({
      code: 'ERR_CONFIG_UNSUPPORTED_PROPERTY',
      path: ['spec', 'properties', 0],
      message: 'not honoured',
      entryKey: 'ssl.keystore.location',
    });
  });

  it('keeps the code of a problem raised by our own refinements, with or without the value seen', () => {
    const duration = z.string().superRefine((value, ctx) => {
      raise(ctx, 'ERR_CONFIG_INVALID_DURATION', 'expected a duration', value);
    });
    expect(problemOf(z.strictObject({ call: duration }), { call: 'soon' })).toEqual({
      code: 'ERR_CONFIG_INVALID_DURATION',
      path: ['spec', 'call'],
      message: 'expected a duration, got "soon"',
    });
    const secret = z.string().superRefine((value, ctx) => {
      raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected a readable file', value, { showInput: false });
    });
    expect(problemOf(z.strictObject({ key: secret }), { key: 'hunter2' }).message).toBe(
      'expected a readable file',
    );
  });

  it('places a problem raised on an object at the relative path it names', () => {
    const schema = z
      .strictObject({ cert: z.string().optional(), key: z.string().optional() })
      .superRefine((v, ctx) => {
        if (v.cert !== undefined && v.key === undefined)
          raise(ctx, 'ERR_CONFIG_MISSING_FIELD', 'is required when cert is set', undefined, {
            path: ['key'],
          });
      });
    expect(problemOf(schema, { cert: 'c.pem' })).toEqual({
      code: 'ERR_CONFIG_MISSING_FIELD',
      path: ['spec', 'key'],
      message: 'is required when cert is set',
    });
  });
});

describe('formatPath', () => {
  it('writes keys with dots and list indexes in brackets', () => {
    expect(formatPath(['spec', 'functions', 0, 'transport', 'timeouts', 'call'])).toBe(
      'spec.functions[0].transport.timeouts.call',
    );
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });
});

describe('describeValue', () => {
  it.each([
    ['ten', '"ten"'],
    [12, '12'],
    [false, 'false'],
    [null, 'null (an empty value)'],
    [undefined, 'nothing'],
    [[1], 'a list'],
    [{ a: 1 }, 'a mapping'],
  ])('describes %j as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('shortens long strings to 80 characters', () => {
    expect(describeValue('x'.repeat(80))).toBe(JSON.stringify('x'.repeat(80)));
    expect(describeValue('x'.repeat(81))).toBe(JSON.stringify(`${'x'.repeat(77)}...`));
  });
});

describe('isRecord', () => {
  it('is true only for non-null, non-array objects', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('x')).toBe(false);
  });
});
