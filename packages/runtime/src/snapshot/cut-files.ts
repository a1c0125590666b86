/**
 * The cut of a store written to table files: the work of a snapshot that reads the store, done in one read
 * transaction (see `store-cut.ts`), on whichever thread calls it.
 */
import { join } from 'node:path';

import type { SnapshotSource } from './create-snapshot.js';
import { withPostgresCut } from './postgres-cut.js';
import { SNAPSHOT_TABLES, type SnapshotCutMeta, type SnapshotFile } from './snapshot-format.js';
import { withLiveSqliteCut, withStoppedSqliteCut } from './sqlite-cut.js';
import { Pacer, type StoreCut, type StoreKind } from './store-cut.js';
import { writeTableFile } from './table-file.js';

/** A cut written to files: what the manifest says about the store, and each table's file. */
export interface CutFiles {
  readonly storeKind: StoreKind;
  readonly schemaVersion: number;
  readonly meta: SnapshotCutMeta;
  readonly files: SnapshotFile[];
}

/**
 * Runs `run` inside one consistent read of a source.
 *
 * @param source - the store.
 * @param run - reads the cut.
 * @param cpuShare - the share of a CPU the read may take (see {@link Pacer}). @default 1
 * @returns what `run` returns.
 */
export function withCut<T>(
  source: SnapshotSource,
  run: (cut: StoreCut) => Promise<T>,
  cpuShare = 1,
): Promise<T> {
  const pacer = new Pacer(cpuShare);
  switch (source.kind) {
    case 'sqlite-live':
      return withLiveSqliteCut(source.file, run, pacer);
    case 'sqlite-dir':
      return withStoppedSqliteCut(source.dataDir, run);
    case 'postgres':
      return withPostgresCut(source.url, source.where, run, pacer);
  }
}

async function writeTables(cut: StoreCut, dir: string): Promise<SnapshotFile[]> {
  const files: SnapshotFile[] = [];
  for (const table of SNAPSHOT_TABLES) {
    const name = `${table.name}.jsonl.gz`;
    const written = await writeTableFile(join(dir, name), table, cut.rows(table));
    files.push({ table: table.name, name, ...written });
  }
  return files;
}

/**
 * Cuts a source and writes every table to `dir`, in this thread.
 *
 * @param source - the store.
 * @param dir - an empty directory.
 * @param cpuShare - the share of a CPU the cut may take. @default 1
 * @returns the cut's meta and files.
 */
export function writeCutFiles(source: SnapshotSource, dir: string, cpuShare = 1): Promise<CutFiles> {
  return withCut(
    source,
    async (cut) => ({
      storeKind: cut.storeKind,
      schemaVersion: cut.schemaVersion,
      meta: cut.meta,
      files: await writeTables(cut, dir),
    }),
    cpuShare,
  );
}
