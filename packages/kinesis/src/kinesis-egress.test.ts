import { describe, expect, it } from 'vitest';
import { KINESIS_EGRESS_RECORD_TYPENAME, KinesisEgressRecord } from '@statehouse/protocol';
import { envelopeOf, kinesisRecordProblem, nextRequest, type PendingRecord } from './kinesis-egress.js';

function value(
  record: Partial<{ stream: string; partitionKey: string; valueBytes: Uint8Array; explicitHashKey: string }>,
) {
  return {
    typename: KINESIS_EGRESS_RECORD_TYPENAME,
    value: KinesisEgressRecord.encode(
      KinesisEgressRecord.create({
        stream: 's',
        partitionKey: 'k',
        valueBytes: new Uint8Array([1]),
        ...record,
      }),
    ).finish(),
  };
}

function pending(offset: number, key: string, stream = 's', bytes = 10): PendingRecord {
  return { offset, stream, entry: { PartitionKey: key, Data: new Uint8Array(bytes) }, bytes };
}

describe('kinesisRecordProblem', () => {
  it('takes a KinesisEgressRecord Kinesis would take', () => {
    expect(kinesisRecordProblem(value({}))).toBeUndefined();
    expect(
      kinesisRecordProblem(value({ explicitHashKey: '340282366920938463463374607431768211455' })),
    ).toBeUndefined();
  });

  it('names what Kinesis would refuse, so the reply is refused and retried instead of stalling the egress', () => {
    expect(kinesisRecordProblem({ typename: 'example/Other', value: new Uint8Array() })).toContain(
      'a Kinesis egress takes records of type type.googleapis.com/io.statefun.sdk.egress.KinesisEgressRecord',
    );
    expect(
      kinesisRecordProblem({ typename: KINESIS_EGRESS_RECORD_TYPENAME, value: new Uint8Array([0xff]) }),
    ).toContain('does not decode');
    expect(kinesisRecordProblem(value({ stream: 'no spaces' }))).toContain('is not a stream name');
    expect(kinesisRecordProblem(value({ partitionKey: '' }))).toContain(
      'partition key has 0 UTF-16 code units',
    );
    expect(kinesisRecordProblem(value({ partitionKey: 'x'.repeat(257) }))).toContain('1 to 256');
    expect(kinesisRecordProblem(value({ explicitHashKey: 'abc' }))).toContain('explicit hash key');
    // 39 digits, but above 2^128 - 1; and 200 emoji are 400 UTF-16 code units (Kinesis refuses both).
    expect(kinesisRecordProblem(value({ explicitHashKey: '9'.repeat(39) }))).toContain('from 0 to 2^128 - 1');
    expect(kinesisRecordProblem(value({ partitionKey: '😀'.repeat(200) }))).toContain(
      '400 UTF-16 code units',
    );
    expect(kinesisRecordProblem(value({ partitionKey: '😀'.repeat(128) }))).toBeUndefined();
    const big = new Uint8Array(900 * 1024);
    expect(kinesisRecordProblem(value({ valueBytes: big }))).toBeUndefined();
    // The envelope's base64 makes it larger than Kinesis takes.
    expect(kinesisRecordProblem(value({ valueBytes: big }), true)).toContain('in its record-id envelope');
  });
});

describe('nextRequest', () => {
  it('takes one record per partition key, and none that would overtake an earlier one of its key', () => {
    const all = [pending(0, 'a'), pending(1, 'a'), pending(2, 'b'), pending(3, 'a'), pending(4, 'c')];
    const [request, rest] = nextRequest(all, 500, 5_000_000);
    expect(request.map((r) => r.offset)).toEqual([0, 2, 4]);
    expect(rest.map((r) => r.offset)).toEqual([1, 3]);
  });

  it('keeps to one stream, and to the record and byte limits', () => {
    const [streams] = nextRequest(
      [pending(0, 'a', 's'), pending(1, 'b', 't'), pending(2, 'c', 's')],
      500,
      1e6,
    );
    expect(streams.map((r) => r.offset)).toEqual([0, 2]);
    const [counted] = nextRequest([pending(0, 'a'), pending(1, 'b'), pending(2, 'c')], 2, 1e6);
    expect(counted.map((r) => r.offset)).toEqual([0, 1]);
    const [sized, left] = nextRequest([pending(0, 'a', 's', 60), pending(1, 'b', 's', 60)], 500, 100);
    expect(sized.map((r) => r.offset)).toEqual([0]);
    expect(left.map((r) => r.offset)).toEqual([1]);
  });
});

describe('envelopeOf', () => {
  it('wraps the data with the stable id of the record', () => {
    const envelope = JSON.parse(Buffer.from(envelopeOf('ex/out', 42, Buffer.from('hi'))).toString()) as {
      id: string;
      data: string;
    };
    expect(envelope).toEqual({ id: 'ex/out/42', data: Buffer.from('hi').toString('base64') });
  });
});
