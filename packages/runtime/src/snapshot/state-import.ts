/**
 * State in: a JSON-lines file (the format `state export` writes) into a data directory or PostgreSQL database no
 * runtime is using. Lines are committed in chunks, each in one transaction with the line it reached, recorded
 * under the file's SHA-256: run the same import again after an interruption and it goes on after the last
 * committed chunk. Values are written as given (an existing value of the same address and name is replaced).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { keyGroupOf } from '../core/address.js';
import { SnapshotError } from '../errors.js';
import type { RestoreTarget } from './restore-snapshot.js';
import { openImportSink, type ImportSink, type StateUpsert } from './state-import-sinks.js';
import { parseStateLine } from './state-line.js';

/** Lines per transaction. */
export const IMPORT_CHUNK_LINES = 1000;

/** Options of {@link importState}. */
export interface ImportStateOptions {
  /** The file to read. */
  readonly from: string;
  readonly target: RestoreTarget;
  /** Lines per transaction. @default {@link IMPORT_CHUNK_LINES} */
  readonly chunkLines?: number;
}

/** What an import did. */
export interface StateImported {
  /** Addresses written by this run. */
  readonly addresses: number;
  /** Values written by this run. */
  readonly values: number;
  /** Lines an earlier, interrupted run had committed (skipped by this one). */
  readonly resumedAfterLine: number;
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function upsertsOf(text: string, where: string, keyGroups: number): StateUpsert[] {
  let parsed;
  try {
    parsed = parseStateLine(text);
  } catch (err) {
    throw new SnapshotError(
      'ERR_STATE_INVALID_LINE',
      `${where} is not a state line: ${(err as Error).message}.`,
    );
  }
  const { address, rows } = parsed;
  const keyGroup = keyGroupOf(address, keyGroups);
  return rows.map((r) => ({ functionType: address.type, id: address.id, keyGroup, ...r }));
}

async function importLines(options: ImportStateOptions, sink: ImportSink, key: string, after: number) {
  const chunkLines = options.chunkLines ?? IMPORT_CHUNK_LINES;
  let line = 0;
  let chunk: StateUpsert[] = [];
  let inChunk = 0;
  let addresses = 0;
  let values = 0;
  const lines = createInterface({ input: createReadStream(options.from), crlfDelay: Infinity });
  for await (const text of lines) {
    line += 1;
    if (line <= after || text.trim() === '') continue;
    chunk.push(...upsertsOf(text, `${options.from}:${line}`, sink.keyGroups));
    inChunk += 1;
    if (inChunk === chunkLines) {
      await sink.commit(chunk, key, line);
      addresses += inChunk;
      values += chunk.length;
      chunk = [];
      inChunk = 0;
    }
  }
  await sink.commit(chunk, key, line);
  return { addresses: addresses + inChunk, values: values + chunk.length };
}

/**
 * Imports state.
 *
 * @param options - the file and the target.
 * @returns what was written.
 * @throws {@link SnapshotError} `ERR_STATE_INVALID_LINE` (nothing of that line's chunk is written),
 *   `ERR_SNAPSHOT_TARGET_IN_USE`.
 */
export async function importState(options: ImportStateOptions): Promise<StateImported> {
  const key = `state_import:${await fileDigest(options.from)}`;
  const sink = await openImportSink(options.target);
  try {
    const after = await sink.position(key);
    const written = await importLines(options, sink, key, after);
    await sink.finish(key);
    return { ...written, resumedAfterLine: after };
  } finally {
    await sink.close();
  }
}
