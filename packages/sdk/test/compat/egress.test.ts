/** Differential: egress messages, including generic Kafka and Kinesis records, give identical answers. */
import {
  StateFun,
  egressMessageBuilder,
  kafkaEgressMessage,
  kinesisEgressMessage,
  type Context,
  type Message,
} from 'apache-flink-statefun';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  IntType,
  StringType,
  defineFunction,
  jsonType,
  kafkaEgressRecord,
  kinesisEgressRecord,
} from '../../src/index.js';
import { encodeRequest } from '../support/wire.js';
import { startPair, type ServerPair } from './servers.js';

const ResultType = jsonType<{ user: string; ok: boolean }>('example/AddToCartResult');

const ours = defineFunction({
  type: 'example/emitter',
  handle(ctx, message) {
    const user = ctx.self.id;
    switch (message.asString()) {
      case 'plain':
        ctx.egress('example/results', ResultType, { user, ok: true });
        ctx.egress('example/counts', IntType, 0);
        break;
      case 'kafka':
        ctx.egress(
          'example/kafka',
          kafkaEgressRecord({ topic: 'results', key: user, type: ResultType, value: { user, ok: false } }),
        );
        ctx.egress('example/kafka', kafkaEgressRecord({ topic: 'raw', value: 'text value' }));
        ctx.egress(
          'example/kafka',
          kafkaEgressRecord({ topic: 'bytes', key: '', value: Uint8Array.of(0, 1, 2) }),
        );
        break;
      case 'kinesis':
        ctx.egress(
          'example/kinesis',
          kinesisEgressRecord({
            stream: 's',
            partitionKey: user,
            explicitHashKey: '42',
            type: ResultType,
            value: { user, ok: true },
          }),
        );
        ctx.egress(
          'example/kinesis',
          kinesisEgressRecord({ stream: 's', partitionKey: user, value: 'no hash key' }),
        );
        break;
    }
  },
});

function official(context: Context, message: Message): void {
  const user = context.self.id;
  const resultType = StateFun.jsonType('example/AddToCartResult');
  switch (message.asString()) {
    case 'plain':
      context.send(
        egressMessageBuilder({
          typename: 'example/results',
          value: { user, ok: true },
          valueType: resultType,
        }),
      );
      context.send(
        egressMessageBuilder({ typename: 'example/counts', value: 0, valueType: StateFun.intType() }),
      );
      break;
    case 'kafka':
      context.send(
        kafkaEgressMessage({
          typename: 'example/kafka',
          topic: 'results',
          key: user,
          value: { user, ok: false },
          valueType: resultType,
        }),
      );
      context.send(kafkaEgressMessage({ typename: 'example/kafka', topic: 'raw', value: 'text value' }));
      context.send(
        kafkaEgressMessage({ typename: 'example/kafka', topic: 'bytes', key: '', value: Buffer.of(0, 1, 2) }),
      );
      break;
    case 'kinesis':
      context.send(
        kinesisEgressMessage({
          typename: 'example/kinesis',
          stream: 's',
          partitionKey: user,
          hashKey: '42',
          value: { user, ok: true },
          valueType: resultType,
        }),
      );
      context.send(
        kinesisEgressMessage({
          typename: 'example/kinesis',
          stream: 's',
          partitionKey: user,
          value: 'no hash key',
        }),
      );
      break;
  }
}

let pair: ServerPair;
beforeAll(async () => {
  pair = await startPair([ours], (statefun) => statefun.bind({ typename: 'example/emitter', fn: official }));
});
afterAll(() => pair.close());

const request = (command: string): Uint8Array =>
  encodeRequest({
    target: { namespace: 'example', name: 'emitter', id: 'Kim' },
    invocations: [{ argument: { typename: StringType.typename, bytes: StringType.serialize(command) } }],
  });

describe('compat: egress', () => {
  test.each(['plain', 'kafka', 'kinesis'])('%s records', async (command) => {
    const { ours: a, official: b } = await pair.compare(request(command));
    expect(a.egress.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  test('Kafka and Kinesis records carry the generic egress typenames', async () => {
    const { ours: a } = await pair.compare(request('kafka'));
    expect(a.egress[0]?.argument?.typename).toBe(
      'type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord',
    );
    const { ours: b } = await pair.compare(request('kinesis'));
    expect(b.egress[0]?.argument?.typename).toBe(
      'type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord',
    );
  });

  test('a batch of all of them, in call order', async () => {
    const body = encodeRequest({
      target: { namespace: 'example', name: 'emitter', id: 'Lee' },
      invocations: ['kinesis', 'plain', 'kafka'].map((c) => ({
        argument: { typename: StringType.typename, bytes: StringType.serialize(c) },
      })),
    });
    const { ours: a, official: b } = await pair.compare(body);
    expect(a.egress).toHaveLength(7);
    expect(a).toEqual(b);
  });
});
