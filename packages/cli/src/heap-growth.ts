/**
 * How far the runtime process lets V8's heap grow beyond its live data before the next full collection
 * (`--heap-growth-percent`, ADR 0015). V8's own rule lets a busy process grow its old space up to four times the
 * live data: under a burst of ingress the runtime's resident memory then doubles with garbage that a full
 * collection would free, and stays there for seconds. A fixed, smaller growth keeps the peak near the live data
 * for a few percent more CPU per message (bench/RESULTS.md, 2026-12-06).
 */
import { setFlagsFromString } from 'node:v8';

import { CliUsageError } from './cli-error.js';

/** The growth the runtime runs with unless told otherwise, in percent of the live data. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/** The largest growth the flag accepts: V8's own rule never grows by more than 300 %. */
const MAX_HEAP_GROWTH_PERCENT = 300;

/** The V8 flag this sets; given on node's own command line, it wins over ours (node refuses it in `NODE_OPTIONS`). */
const V8_FLAG = '--heap-growing-percent';

/**
 * Reads `--heap-growth-percent`.
 *
 * @param text - the flag's value, if given.
 * @returns the growth in percent; 0 keeps V8's own rule.
 * @throws {@link CliUsageError} `ERR_CLI_INVALID_FLAG` for anything but a whole number from 0 to 300.
 */
export function parseHeapGrowthPercent(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HEAP_GROWTH_PERCENT;
  const percent = Number(text);
  if (!/^\d+$/u.test(text) || percent > MAX_HEAP_GROWTH_PERCENT) {
    throw new CliUsageError(
      'ERR_CLI_INVALID_FLAG',
      `--heap-growth-percent must be a whole number from 0 (V8's own rule) to ${MAX_HEAP_GROWTH_PERCENT}, got ${JSON.stringify(text)}`,
    );
  }
  return percent;
}

/**
 * Whether node was already told the growth on its own command line (`node --heap-growing-percent=N …`; node
 * refuses V8's heap flags in `NODE_OPTIONS`, so that is the only other place).
 *
 * @param execArgv - node's own arguments.
 * @returns `'command line'` or `undefined`.
 */
export function heapGrowthSetBy(execArgv: readonly string[] = process.execArgv): string | undefined {
  const names = [V8_FLAG, V8_FLAG.replaceAll('-', '_').replace(/^__/u, '--')];
  const mentions = (arg: string): boolean => names.some((name) => arg === name || arg.startsWith(`${name}=`));
  return execArgv.some(mentions) ? 'command line' : undefined;
}

/**
 * Sets V8's heap growth for this process, unless node was given its own.
 *
 * @param percent - from {@link parseHeapGrowthPercent}; 0 leaves V8's rule in place.
 * @returns what was done, for the log.
 */
export function applyHeapGrowth(percent: number): { readonly heapGrowthPercent: number | string } {
  const setBy = heapGrowthSetBy();
  if (setBy !== undefined) return { heapGrowthPercent: `set by ${setBy}` };
  if (percent === 0) return { heapGrowthPercent: "V8's own" };
  setFlagsFromString(`${V8_FLAG}=${percent}`);
  return { heapGrowthPercent: percent };
}
