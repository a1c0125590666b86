/**
 * One table of a snapshot as a file: gzip-compressed JSON lines, one row per line as an array of its column
 * values in the table's order (bytes as base64). Written with its row count, size and SHA-256 (of the file as
 * stored), read back with every value checked against its column's kind.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

import { SnapshotError } from '../errors.js';
import type { ColumnKind, LogicalTable } from './snapshot-format.js';

/** A row as the stores read and write it: column values in the table's order (bytes as Buffer). */
export type Row = readonly unknown[];

/**
 * Compression level: 1 is several times faster than the default 6 and, on these repetitive lines, as small
 * (a snapshot's CPU is taken from the runtime's traffic).
 */
const GZIP_LEVEL = 1;

/** Characters of JSON lines handed to gzip at once. */
const CHUNK_CHARS = 64 * 1024;

/** What was written. */
export interface WrittenFile {
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

function encodeValue(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if (kind === 'int' || kind === 'int?') return Number(value);
  return value;
}

/** A hashing pass-through that counts the bytes it sees. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
    done();
  }
}

/**
 * Writes rows to a table file.
 *
 * @param path - the file to create.
 * @param table - the rows' table.
 * @param rows - the rows, in order, a page at a time.
 * @returns the row count, size and SHA-256 of the file.
 */
export async function writeTableFile(
  path: string,
  table: LogicalTable,
  rows: AsyncIterable<readonly Row[]>,
): Promise<WrittenFile> {
  let count = 0;
  const kinds = table.columns.map(([, kind]) => kind);
  // Lines go to gzip in chunks of about 64 KiB: one chunk per row would cost a turn of the event loop per row
  // (zlib works on the thread pool), minutes for a large table on a busy runtime.
  async function* chunks(): AsyncGenerator<string> {
    let chunk = '';
    for await (const page of rows) {
      for (const row of page)
        chunk += `${JSON.stringify(row.map((value, i) => encodeValue(value, kinds[i]!)))}\n`;
      count += page.length;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  const digest = new Digest();
  await pipeline(Readable.from(chunks()), createGzip({ level: GZIP_LEVEL }), digest, createWriteStream(path));
  return { rows: count, bytes: digest.bytes, sha256: digest.hash.digest('hex') };
}

/**
 * Computes a file's size and SHA-256.
 *
 * @param path - the file.
 * @returns its size in bytes and its SHA-256 in hex.
 */
export async function digestFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function decodeValue(value: unknown, kind: ColumnKind): unknown {
  const optional = kind.endsWith('?');
  if (value === null) {
    if (optional) return null;
    throw new Error('a value is null that cannot be');
  }
  switch (kind) {
    case 'bytes':
      if (typeof value === 'string') return Buffer.from(value, 'base64');
      break;
    case 'int':
    case 'int?':
      if (Number.isSafeInteger(value)) return value;
      break;
    default:
      if (typeof value === 'string') return value;
  }
  throw new Error(`a value is not of kind ${kind}: ${JSON.stringify(value)?.slice(0, 80)}`);
}

/**
 * Reads a table file back, row by row.
 *
 * @param path - the file (already checked against its checksum).
 * @param table - its table.
 * @param where - the file, for messages.
 * @returns the rows with every value of its column's kind (bytes as Buffer).
 * @throws {@link SnapshotError} `ERR_SNAPSHOT_CORRUPT` at a line that does not decode.
 */
export async function* readTableFile(path: string, table: LogicalTable, where: string): AsyncGenerator<Row> {
  const kinds = table.columns.map(([, kind]) => kind);
  // Columns added by later formats are nullable and last: a row of an older format lacks them (read as null).
  let fewest = kinds.length;
  while (fewest > 0 && kinds[fewest - 1]!.endsWith('?')) fewest -= 1;
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      let values: unknown;
      try {
        values = JSON.parse(text);
        if (!Array.isArray(values) || values.length > kinds.length || values.length < fewest)
          throw new Error(`expected ${kinds.length} column values`);
        const row: unknown[] = values;
        yield kinds.map((kind, i) => decodeValue(i < row.length ? row[i] : null, kind));
      } catch (err) {
        throw new SnapshotError(
          'ERR_SNAPSHOT_CORRUPT',
          `Row ${line} of ${where} does not decode: ${(err as Error).message}.`,
        );
      }
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(
      'ERR_SNAPSHOT_CORRUPT',
      `${where} does not decompress: ${(err as Error).message}.`,
      {
        cause: err,
      },
    );
  }
}
