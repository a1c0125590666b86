/**
 * Compression of Kafka record batches. kafkajs brings gzip only; LZ4 — the codec most Kafka producers use, and the
 * one in StateFun's documented egress example — comes from lz4-napi (LZ4 frame format, which Kafka uses for record
 * batches since 0.10; prebuilt binaries from npm, no compiler needed). The codec is registered in kafkajs's
 * process-wide codec table, so the ingress reads LZ4-compressed batches and the egress writes them. lz4-napi's native
 * binding is loaded on the first LZ4 batch, not before: a platform without a prebuilt binding (or an install without
 * optional dependencies) runs everything else, and only LZ4 batches fail, with an error that says why.
 */
import kafkajs from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import type * as Lz4Napi from 'lz4-napi';

// Node's ESM loader does not see `CompressionCodecs` among kafkajs's CommonJS exports: take it from the module object.
const { CompressionCodecs } = kafkajs;

type Lz4 = typeof Lz4Napi;
let lz4: Promise<Lz4> | undefined;

/** lz4-napi, loaded once; a failed load is reported on every LZ4 batch, and tried again. */
function loadLz4(): Promise<Lz4> {
  lz4 ??= import('lz4-napi').catch((err: unknown) => {
    lz4 = undefined;
    throw new Error(
      `LZ4-compressed Kafka batches need lz4-napi's native binding for this platform (${process.platform}-${process.arch}), which could not be loaded: ${err instanceof Error ? err.message : String(err)}; reinstall with optional dependencies, or use compression.type gzip or none`,
    );
  });
  return lz4;
}

/** kafkajs's codec shape: compress an encoder's buffer, decompress a batch's bytes. */
const LZ4_CODEC = {
  compress: async (encoder: { readonly buffer: Buffer }): Promise<Buffer> =>
    (await loadLz4()).compressFrame(encoder.buffer),
  decompress: async (buffer: Buffer): Promise<Buffer> => (await loadLz4()).decompressFrame(buffer),
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
