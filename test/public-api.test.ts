/**
 * The published API surface: what each public package's built entry exports must match `api/<package>.txt`.
 * A removed or renamed export is a breaking change; an added one must be deliberate. After an intended
 * change, run `npm run api:update` and commit the new lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const PUBLIC_PACKAGES = ['protocol', 'sdk', 'runtime', 'kafka', 'kinesis'] as const;

describe.each(PUBLIC_PACKAGES)('@statehouse/%s public API', (name) => {
  const dir = join(REPO, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string }>;
  };

  it('points its exports map at files the build produced', () => {
    for (const target of Object.values(pkg.exports)) {
      expect(existsSync(join(dir, target.default)), target.default).toBe(true);
      expect(existsSync(join(dir, target.types)), target.types).toBe(true);
    }
  });

  it('exports exactly the names listed in api/', async () => {
    const entry = pathToFileURL(join(dir, pkg.exports['.']!.default)).href;
    const names = Object.keys((await import(entry)) as Record<string, unknown>).sort();
    const listed = readFileSync(join(REPO, 'api', `${name}.txt`), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(names, 'run `npm run api:update` after an intended API change').toEqual(listed);
  });
});
