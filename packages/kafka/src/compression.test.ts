import kafkajs, { CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { compressionOf, registerCompressionCodecs } from './compression.js';

describe('compression', () => {
  it('maps compression.type to kafkajs, none by default', () => {
    expect(compressionOf(new Map())).toBe(CompressionTypes.None);
    expect(compressionOf(new Map([['compression.type', 'none']]))).toBe(CompressionTypes.None);
    expect(compressionOf(new Map([['compression.type', 'gzip']]))).toBe(CompressionTypes.GZIP);
    expect(compressionOf(new Map([['compression.type', 'lz4']]))).toBe(CompressionTypes.LZ4);
  });

  it("gives kafkajs an LZ4 codec that writes Kafka's LZ4 frame format and reads it back", async () => {
    registerCompressionCodecs();
    const codec = kafkajs.CompressionCodecs[CompressionTypes.LZ4]() as {
      compress(encoder: { buffer: Buffer }): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    };
    const batch = Buffer.from('record '.repeat(1_000));
    const compressed = await codec.compress({ buffer: batch });
    // The LZ4 frame magic number (0x184D2204, little-endian), which Kafka's LZ4 batches start with.
    expect([...compressed.subarray(0, 4)]).toEqual([0x04, 0x22, 0x4d, 0x18]);
    expect(compressed.length).toBeLessThan(batch.length / 10);
    expect((await codec.decompress(compressed)).equals(batch)).toBe(true);
  });
});
