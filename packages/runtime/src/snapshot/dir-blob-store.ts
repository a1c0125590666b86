/** Snapshots in a local directory (or a mounted network file system). */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { blobOperation, type BlobStore } from './blob-store.js';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** A {@link BlobStore} in a directory; names are relative paths. */
export class DirBlobStore implements BlobStore {
  readonly description: string;
  readonly #root: string;

  /** @param root - the directory (created at the first write). */
  constructor(root: string) {
    this.#root = root;
    this.description = root;
  }

  put(name: string, file: string): Promise<void> {
    const path = join(this.#root, name);
    return blobOperation(`writing ${path}`, async () => {
      await mkdir(dirname(path), { recursive: true });
      await copyFile(file, path);
    });
  }

  putText(name: string, text: string): Promise<void> {
    const path = join(this.#root, name);
    return blobOperation(`writing ${path}`, async () => {
      await mkdir(dirname(path), { recursive: true });
      // Written aside, then renamed: a reader sees the whole file or none.
      const partial = `${path}.partial`;
      await writeFile(partial, text);
      await rename(partial, path);
    });
  }

  getText(name: string): Promise<string | undefined> {
    const path = join(this.#root, name);
    return blobOperation(`reading ${path}`, async () => {
      try {
        return await readFile(path, 'utf8');
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    });
  }

  download(name: string, file: string): Promise<boolean> {
    const path = join(this.#root, name);
    return blobOperation(`reading ${path}`, async () => {
      try {
        await copyFile(path, file);
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    });
  }

  listChildren(): Promise<string[]> {
    return blobOperation(`listing ${this.#root}`, async () => {
      try {
        const entries = await readdir(this.#root, { withFileTypes: true });
        return entries
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort();
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
    });
  }

  deleteTree(prefix: string): Promise<void> {
    const path = join(this.#root, prefix);
    return blobOperation(`deleting ${path}`, async () => {
      if ((await stat(path).catch(() => undefined)) !== undefined)
        await rm(path, { recursive: true, force: true });
    });
  }

  child(name: string): BlobStore {
    return new DirBlobStore(join(this.#root, name));
  }

  close(): void {}
}
