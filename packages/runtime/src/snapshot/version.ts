/** The version of `@statehouse/runtime`, recorded in every snapshot's manifest. */
import { readFileSync } from 'node:fs';

/** The runtime package's version (from its package.json, found from both `src/` and `dist/`). */
export const STATEHOUSE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
