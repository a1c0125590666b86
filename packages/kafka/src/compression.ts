/**
 * Compression of Kafka record batches. kafkajs brings gzip only; LZ4 — the codec most Kafka producers use, and the
 * one in StateFun's documented egress example — comes from lz4-napi (LZ4 frame format, which Kafka uses for record
 * batches since 0.10; prebuilt binaries from npm, no compiler needed). The codec is registered in kafkajs's
 * process-wide codec table, so the ingress reads LZ4-compressed batches and the egress writes them.
 */
import kafkajs from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { compressFrame, decompressFrame } from 'lz4-napi';

// Node's ESM loader does not see `CompressionCodecs` among kafkajs's CommonJS exports: take it from the module object.
const { CompressionCodecs } = kafkajs;

/** kafkajs's codec shape: compress an encoder's buffer, decompress a batch's bytes. */
const LZ4_CODEC = {
  compress: (encoder: { readonly buffer: Buffer }): Promise<Buffer> => compressFrame(encoder.buffer),
  decompress: (buffer: Buffer): Promise<Buffer> => decompressFrame(buffer),
};

/** Registers the LZ4 codec with kafkajs (once per process; again is harmless). */
export function registerCompressionCodecs(): void {
  CompressionCodecs[CompressionTypes.LZ4] = () => LZ4_CODEC;
}

/** The compression an egress's `compression.type` property asks for (checked at load: none, gzip or lz4). */
export function compressionOf(properties: ReadonlyMap<string, string>): CompressionTypes {
  switch (properties.get('compression.type')) {
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'lz4':
      return CompressionTypes.LZ4;
    default:
      return CompressionTypes.None;
  }
}
