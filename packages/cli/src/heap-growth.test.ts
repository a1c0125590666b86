import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-error.js';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthSetBy, parseHeapGrowthPercent } from './heap-growth.js';
import { runCommand } from './commands/run.js';

describe('--heap-growth-percent', () => {
  it('defaults, accepts 0 to 300 and names the flag otherwise', () => {
    expect(parseHeapGrowthPercent(undefined)).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(parseHeapGrowthPercent('0')).toBe(0);
    expect(parseHeapGrowthPercent('300')).toBe(300);
    for (const bad of ['301', '-1', '1.5', '', 'lots', '1e2']) {
      expect(() => parseHeapGrowthPercent(bad)).toThrow(CliUsageError);
      expect(() => parseHeapGrowthPercent(bad)).toThrow('--heap-growth-percent must be a whole number');
    }
  });

  it('is checked before the module files are read', async () => {
    const run = runCommand(['/nonexistent/module.yaml', '--heap-growth-percent', 'lots']);
    await expect(run).rejects.toMatchObject({ code: 'ERR_CLI_INVALID_FLAG' });
    // A negative value is the flag's value, refused by its own rule (not node's "ambiguous argument").
    const negative = runCommand(['/nonexistent/module.yaml', '--heap-growth-percent', '-1']);
    await expect(negative).rejects.toThrow('--heap-growth-percent must be a whole number');
  });

  it("leaves the growth to node when it was given node's own flag, in either spelling", () => {
    expect(heapGrowthSetBy([])).toBeUndefined();
    expect(heapGrowthSetBy(['--heap-growing-percent=80'])).toBe('command line');
    expect(heapGrowthSetBy(['--heap_growing_percent', '80'])).toBe('command line');
    expect(heapGrowthSetBy(['--heap-growing-percentage=1', '--heap-growing-percents'])).toBeUndefined();
  });

  it('keeps the heap of a process that churns long-lived garbage near its live data', async () => {
    // The allocation pattern of an ingress burst (objects that survive a few scavenges, then die) in two child
    // processes at once, one with V8's own rule and one with the default setting, applied as `run` applies it.
    const script = fileURLToPath(new URL('../test/heap-churn.ts', import.meta.url));
    const peakMB = async (percent: number): Promise<number> => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        script,
        String(percent),
      ]);
      return Number(stdout.trim());
    };
    const [own, ours] = await Promise.all([peakMB(0), peakMB(DEFAULT_HEAP_GROWTH_PERCENT)]);
    expect(ours).toBeLessThan(own * 0.75);
  });
});
