import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory, removed by `cleanup`. */
export interface TempDir {
  readonly path: string;
  cleanup(): Promise<void>;
}

/**
 * Creates a unique temporary directory.
 *
 * @param prefix - name prefix, for humans reading /tmp.
 */
export async function createTempDir(prefix = 'statehouse-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
