import { describe, expectTypeOf, test } from 'vitest';
import {
  IntType,
  LongType,
  StringType,
  address,
  createFetchHandler,
  createLambdaHandler,
  createNodeHandler,
  defineFunction,
  jsonType,
  kafkaEgressRecord,
  protobufType,
  runFunction,
  valueSpec,
  type Address,
  type Context,
  type LambdaHttpEvent,
  type LambdaHttpResult,
  type Message,
  type StatefulFunction,
  type Type,
} from './index.js';
import { KafkaProducerRecord } from '@statehouse/protocol';

interface Items {
  readonly [itemId: string]: number;
}
const ItemsType = jsonType<Items>('example/items');
const target = address('example/inventory', 'socks');

const cart = defineFunction({
  type: 'example/cart',
  state: { items: valueSpec(ItemsType, { expireAfterWrite: 60_000 }), seen: valueSpec(IntType) },
  handle(ctx, message) {
    expectTypeOf(ctx.state.items).toEqualTypeOf<Items | undefined>();
    expectTypeOf(ctx.state.seen).toEqualTypeOf<number | undefined>();
    expectTypeOf(message).toEqualTypeOf<Message>();
    expectTypeOf(ctx.caller).toEqualTypeOf<Address | undefined>();
    ctx.state.items = { socks: 1 };
    ctx.state.items = undefined;
    delete ctx.state.items;
    // @ts-expect-error a string is not Items
    ctx.state.items = 'socks';
    // @ts-expect-error undeclared state
    ctx.state.other = 1;
  },
});

describe('types', () => {
  test('ctx.state is typed from the specs', () => {
    expectTypeOf(cart).toEqualTypeOf<
      StatefulFunction<{
        items: ReturnType<typeof valueSpec<Items>>;
        seen: ReturnType<typeof valueSpec<number>>;
      }>
    >();
    expectTypeOf(cart).toExtend<StatefulFunction>();
  });

  test('send, sendAfter and egress only take values of the given type', () => {
    const use = (ctx: Context): void => {
      ctx.send(target, IntType, 1);
      // @ts-expect-error a string is not an int
      ctx.send(target, IntType, 'x');
      // @ts-expect-error a number is not a long
      ctx.send(target, LongType, 1);
      ctx.sendAfter(10, target, StringType, 'hi', { cancellationToken: 't' });
      // @ts-expect-error a number is not a string
      ctx.sendAfter(10, target, StringType, 1);
      ctx.egress('example/out', ItemsType, { socks: 2 });
      // @ts-expect-error Items values are numbers
      ctx.egress('example/out', ItemsType, { socks: 'two' });
      ctx.egress('example/kafka', kafkaEgressRecord({ topic: 't', type: IntType, value: 1 }));
      // @ts-expect-error a string is not an int
      kafkaEgressRecord({ topic: 't', type: IntType, value: 'x' });
    };
    expectTypeOf(use).toBeFunction();
  });

  test('a function with no state has an empty state view', () => {
    const fn = defineFunction({
      type: 'example/stateless',
      handle(ctx) {
        // @ts-expect-error nothing is declared
        ctx.state.anything = 1;
      },
    });
    expectTypeOf(createNodeHandler).parameter(0).toExtend<readonly StatefulFunction[]>();
    expectTypeOf([fn, cart]).toExtend<readonly StatefulFunction[]>();
  });

  test('types infer their value type', () => {
    expectTypeOf(jsonType('example/x', { schema: { parse: (x: unknown) => String(x) } })).toEqualTypeOf<
      Type<string>
    >();
    expectTypeOf(
      protobufType('type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord', KafkaProducerRecord),
    ).toExtend<Type<KafkaProducerRecord>>();
  });

  test('runFunction types its messages, state and results', async () => {
    const result = await runFunction(cart, {
      state: { items: { socks: 1 } },
      messages: [
        { type: IntType, value: 1 },
        { type: StringType, value: 'x', caller: target },
      ],
    });
    expectTypeOf(result.state.items).toEqualTypeOf<Items | undefined>();
    const mutation = result.mutations[0];
    if (mutation?.name === 'seen' && mutation.kind === 'modify')
      expectTypeOf(mutation.value).toEqualTypeOf<number>();
    // @ts-expect-error a string is not an int
    await runFunction(cart, { messages: [{ type: IntType, value: 'x' }] });
    // @ts-expect-error a string is not Items
    await runFunction(cart, { state: { items: 'x' }, messages: [] });
  });

  test('handlers take the platform types; @types/aws-lambda shaped events fit', () => {
    interface ApiGatewayV1Like {
      httpMethod: string;
      path: string;
      body: string | null;
      isBase64Encoded: boolean;
      headers: Record<string, string | undefined>;
      requestContext: { stage: string; requestId: string };
    }
    interface ApiGatewayV2Like {
      version: string;
      rawPath: string;
      body?: string;
      isBase64Encoded: boolean;
      requestContext: { domainName: string; http: { method: string; path: string } };
    }
    expectTypeOf<ApiGatewayV1Like>().toExtend<LambdaHttpEvent>();
    expectTypeOf<ApiGatewayV2Like>().toExtend<LambdaHttpEvent>();
    expectTypeOf(createLambdaHandler([cart])).returns.resolves.toEqualTypeOf<LambdaHttpResult>();
    expectTypeOf(createFetchHandler([cart])).toEqualTypeOf<(request: Request) => Promise<Response>>();
  });
});
