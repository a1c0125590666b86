import { describe, expect, test } from 'vitest';
import { SerializationError } from './errors.js';
import { TypedMessage } from './message.js';
import { jsonType } from './types/json-type.js';
import { BoolType, DoubleType, FloatType, IntType, LongType, StringType } from './types/well-known-types.js';

describe('TypedMessage', () => {
  test('reads well-known types', () => {
    expect(new TypedMessage(StringType.typename, StringType.serialize('hi')).asString()).toBe('hi');
    expect(new TypedMessage(IntType.typename, IntType.serialize(3)).asInt()).toBe(3);
    expect(new TypedMessage(LongType.typename, LongType.serialize(3n)).asLong()).toBe(3n);
    expect(new TypedMessage(FloatType.typename, FloatType.serialize(0.5)).asFloat()).toBe(0.5);
    expect(new TypedMessage(DoubleType.typename, DoubleType.serialize(0.1)).asDouble()).toBe(0.1);
    expect(new TypedMessage(BoolType.typename, BoolType.serialize(true)).asBool()).toBe(true);
    const zero = new TypedMessage(IntType.typename, new Uint8Array(0));
    expect([
      zero.isInt(),
      zero.isString(),
      zero.isLong(),
      zero.isFloat(),
      zero.isDouble(),
      zero.isBool(),
    ]).toEqual([true, false, false, false, false, false]);
    expect(zero.asInt()).toBe(0);
  });

  test('is/as with a custom type', () => {
    const Greeting = jsonType<{ text: string }>('example/greeting');
    const message = new TypedMessage(Greeting.typename, Greeting.serialize({ text: 'hi' }));
    expect(message.is(Greeting)).toBe(true);
    expect(message.as(Greeting)).toEqual({ text: 'hi' });
    expect(message.bytes).toEqual(new TextEncoder().encode('{"text":"hi"}'));
  });

  test('as() with another type throws ERR_SDK_TYPE_MISMATCH', () => {
    const message = new TypedMessage(StringType.typename, StringType.serialize('hi'));
    expect(() => message.asInt()).toThrow(SerializationError);
    expect(() => message.asInt()).toThrow(
      'Cannot read a io.statefun.types/string message as io.statefun.types/int: check message.is(type) first',
    );
  });

  test('a message without value throws ERR_SDK_MISSING_VALUE on as()', () => {
    const message = new TypedMessage(StringType.typename, undefined, false);
    expect(message.bytes).toEqual(new Uint8Array(0));
    expect(() => message.asString()).toThrow(expect.objectContaining({ code: 'ERR_SDK_MISSING_VALUE' }));
  });
});
