import { parseArgs } from 'node:util';
import { RUNTIME_OPTION_DEFAULTS } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { RUN_FLAGS, RUN_PARSE_OPTIONS, flagOf, runFlagsUsage, runtimeOptionsFromFlags } from './run-flags.js';
import { RUN_USAGE } from './usage.js';

function flags(args: string[]): Record<string, unknown> {
  return parseArgs({ args, allowPositionals: true, options: RUN_PARSE_OPTIONS }).values;
}

describe('run flags', () => {
  it('turn into runtime options without checking them (the runtime does)', () => {
    expect(
      runtimeOptionsFromFlags(
        flags([
          'm.yaml',
          '--data-dir',
          'd',
          '--listen',
          'nowhere',
          '--store',
          'mysql://x',
          '--node-id',
          'n1',
          '--advertise',
          'a:1',
          '--lease-timeout-ms',
          '100',
          '--max-ingress-bytes',
          'lots',
          '--max-inbox-messages',
          '0',
          '--log-level',
          'debug',
        ]),
      ),
    ).toEqual({
      dataDir: 'd',
      listen: 'nowhere',
      storeUrl: 'mysql://x',
      nodeId: 'n1',
      advertise: 'a:1',
      leaseMs: 100,
      maxIngressBytes: NaN,
      maxInboxMessages: 0,
    });
    expect(runtimeOptionsFromFlags(flags(['m.yaml']))).toEqual({});
  });

  it('name the flag of each option they set', () => {
    expect(flagOf('listen')).toBe('--listen');
    expect(flagOf('dataDir')).toBe('--data-dir');
    expect(flagOf('storeUrl')).toBe('--store');
    expect(flagOf('leaseMs')).toBe('--lease-timeout-ms');
    expect(flagOf('keyGroups')).toBeUndefined();
  });

  it('show the runtime defaults in the usage text', () => {
    const usage = runFlagsUsage();
    expect(RUN_USAGE).toContain(usage);
    for (const flag of RUN_FLAGS) {
      const line = usage.split('\n').find((l) => l.trimStart().startsWith(`--${flag.name} `));
      const fixed = (RUNTIME_OPTION_DEFAULTS as Readonly<Record<string, string | number | boolean>>)[
        flag.option ?? ''
      ];
      expect(line, flag.name).toBeDefined();
      if (fixed !== undefined) expect(line).toContain(`(default ${String(fixed)})`);
    }
    expect(usage).toContain('--listen HOST:PORT');
    expect(usage).toContain('(default 127.0.0.1:8091)');
    expect(usage).toContain('--log-level LEVEL');
    expect(usage).toContain('(default info)');
  });
});
