import { ConfigError } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-error.js';
import { describeRuntimeError } from './flag-hints.js';
import { parseFlags, resolveFlagValues } from './parse-flags.js';
import { RUN_FLAGS, RUN_PARSE_OPTIONS } from './run-flags.js';

const parse = (args: string[]) => parseFlags(args, RUN_PARSE_OPTIONS, 'USAGE', true);

/** What the CLI prints for the error of checking `args` (after `statehouse: `). */
function rejectionOf(args: string[]): string {
  let error: unknown;
  try {
    resolveFlagValues(parse(args).values);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return describeRuntimeError(error as ConfigError);
}

function usageErrorOf(args: string[]): string {
  let error: unknown;
  try {
    parse(args);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(CliUsageError);
  expect((error as CliUsageError).code).toBe('ERR_CLI_INVALID_FLAG');
  return (error as CliUsageError).message;
}

const NUMBER_FLAGS = RUN_FLAGS.filter((flag) => flag.kind === 'number').map((flag) => flag.name);

describe('parseFlags and resolveFlagValues', () => {
  it('reject a negative number with a message naming the flag and the range, with or without "="', () => {
    const expected =
      '--max-inbox-messages: runtime option maxInboxMessages: expected a positive whole number, got "-5" ' +
      '[ERR_CONFIG_INVALID_OPTION]';
    expect(rejectionOf(['m.yaml', '--max-inbox-messages', '-5'])).toBe(expected);
    expect(rejectionOf(['m.yaml', '--max-inbox-messages=-5'])).toBe(expected);
    expect(rejectionOf(['--lease-timeout-ms', '-1', 'm.yaml'])).toBe(
      '--lease-timeout-ms: runtime option leaseMs: expected a whole number ≥ 500, got "-1" ' +
        '[ERR_CONFIG_INVALID_OPTION]',
    );
  });

  it.each(NUMBER_FLAGS)('reject a negative or malformed --%s as typed', (name) => {
    for (const value of ['-5', '-0.5', '1.5', '1e3', '0x10', ' 7', 'lots', '']) {
      const message = rejectionOf([`--${name}`, value]);
      expect(message, value).toMatch(new RegExp(`^--${name}: runtime option \\w+: expected a `, 'u'));
      expect(message, value).toContain(`, got ${JSON.stringify(value)} [ERR_CONFIG_INVALID_OPTION]`);
    }
    expect(rejectionOf([`--${name}`, '0'])).toContain(', got 0 [');
  });

  it('accept whole numbers in range and apply the runtime defaults to the others', () => {
    const options = resolveFlagValues(
      parse(['m.yaml', '--max-inbox-messages', '20', '--lease-timeout-ms=500', '--store', 'postgres://h/db'])
        .values,
    );
    expect(options).toMatchObject({
      maxInboxMessages: 20,
      leaseMs: 500,
      storeUrl: 'postgres://h/db',
      maxIngressBytes: 4 * 1024 * 1024,
    });
  });

  it('reject a flag given twice, naming it and both values', () => {
    expect(usageErrorOf(['--max-inbox-messages', '10', '--max-inbox-messages', '20'])).toBe(
      '--max-inbox-messages is given twice ("10", then "20"); give it once',
    );
    expect(usageErrorOf(['--listen=a:1', 'm.yaml', '--listen', 'b:2'])).toBe(
      '--listen is given twice ("a:1", then "b:2"); give it once',
    );
    expect(usageErrorOf(['--max-inbox-messages', '-5', '--max-inbox-messages=-6'])).toContain(
      '("-5", then "-6")',
    );
  });

  it('leave a switch given twice, the value of a text flag and what follows "--" to parseArgs', () => {
    expect(parse(['-h', '--help']).values['help']).toBe(true);
    expect(usageErrorOf(['--node-id', '-5'])).toContain("Option '--node-id' argument is ambiguous");
    expect(usageErrorOf(['--nope'])).toMatch(/Unknown option '--nope'[\s\S]*\n\nUSAGE$/u);
    expect(parse(['--', '--max-inbox-messages', '-5']).positionals).toEqual(['--max-inbox-messages', '-5']);
  });
});
