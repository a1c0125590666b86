// `npm run api:update`: rewrites api/<package>.txt from the built entries (run `npm run build` first).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
for (const name of ['protocol', 'sdk', 'runtime', 'kafka', 'kinesis']) {
  const dir = join(repo, 'packages', name);
  // Parsed and imported values are `unknown` first: a JSDoc cast of an `any` expression is invisible to ESLint.
  /** @type {unknown} */
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const pkg = /** @type {{ exports: { '.': { default: string } } }} */ (manifest);
  /** @type {unknown} */
  const entry = await import(pathToFileURL(join(dir, pkg.exports['.'].default)).href);
  const names = Object.keys(/** @type {object} */ (entry)).sort();
  writeFileSync(join(repo, 'api', `${name}.txt`), `${names.join('\n')}\n`);
  console.log(`api/${name}.txt: ${names.length} exports`);
}
