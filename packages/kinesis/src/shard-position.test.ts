import { describe, expect, it } from 'vitest';
import { formatPosition, iteratorRequest, parsePosition, SHARD_END, TRIM_HORIZON } from './shard-position.js';

describe('shard positions', () => {
  it('round-trip through the text stored with the inbox rows', () => {
    for (const position of [
      { type: 'after', sequenceNumber: '49680895347333226715369379180425305104667058361233047554' } as const,
      { type: 'at-timestamp', epochMs: 1_700_000_000_000 } as const,
      TRIM_HORIZON,
      SHARD_END,
    ]) {
      expect(parsePosition(formatPosition(position))).toEqual(position);
    }
    expect(() => parsePosition('offset:5')).toThrow('not a Kinesis shard position');
  });

  it('read from where they say', () => {
    expect(iteratorRequest('s', 'shard-0', { type: 'after', sequenceNumber: '7' })).toEqual({
      StreamName: 's',
      ShardId: 'shard-0',
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '7',
    });
    expect(iteratorRequest('s', 'shard-0', { type: 'at-timestamp', epochMs: 5 })).toMatchObject({
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: new Date(5),
    });
    expect(iteratorRequest('s', 'shard-0', { type: 'trim-horizon' })).toMatchObject({
      ShardIteratorType: 'TRIM_HORIZON',
    });
  });
});
