/**
 * Settings shared by the fuzz properties: seeded and bounded. `npm test` runs each property's default number of
 * cases (a few seconds in all); `npm run fuzz` sets `FUZZ_RUNS` (cases per property) for a long run. `FUZZ_SEED`
 * replays another seed; a failure prints the seed and the path that reproduces it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const runsOverride = Number(process.env['FUZZ_RUNS'] ?? '');
const seedOverride = Number(process.env['FUZZ_SEED'] ?? '');

/** The seed of every property in this run. */
export const FUZZ_SEED =
  Number.isSafeInteger(seedOverride) && process.env['FUZZ_SEED'] ? seedOverride : 1_412_2026;

/** Whether this is a long run (`npm run fuzz`). */
export const IS_LONG_FUZZ = Number.isSafeInteger(runsOverride) && runsOverride > 0;

/**
 * Cases of one property.
 *
 * @param quick - the number in `npm test`.
 * @param scale - how many of the long run's `FUZZ_RUNS` this property takes (slow properties take fewer).
 */
export function fuzzRuns(quick: number, scale = 1): number {
  return IS_LONG_FUZZ ? Math.max(1, Math.round(runsOverride * scale)) : quick;
}

/** A test timeout that grows with the long run. */
export function fuzzTimeout(quickMs: number): number {
  return IS_LONG_FUZZ ? 6 * 60 * 60 * 1000 : quickMs;
}

/** The error codes docs/errors.md documents (not the retired ones). */
export function documentedCodes(): ReadonlySet<string> {
  const doc = readFileSync(fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url)), 'utf8');
  const live = doc.slice(0, doc.indexOf('\n## Retired'));
  return new Set([...live.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gmu)].map((m) => m[1]!));
}
