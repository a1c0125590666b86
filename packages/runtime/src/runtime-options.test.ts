import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadModuleFiles } from './config/index.js';
import { ConfigError } from './errors.js';
import { RUNTIME_OPTION_DEFAULTS, resolveRuntimeOptions, type RuntimeOptions } from './runtime-options.js';

const module = loadModuleFiles([
  {
    path: 'module.yaml',
    text: 'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: example/*\n  urlPathTemplate: http://127.0.0.1:1/x\n',
  },
]);

/** The error `resolveRuntimeOptions` throws for `options`. */
function rejection(options: Partial<RuntimeOptions>): ConfigError {
  try {
    resolveRuntimeOptions({ module, ...options });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

/** The `@default` tag text of each field of `RuntimeOptions`, read from the source. */
function tsdocDefaults(): Map<string, string> {
  const path = new URL('./runtime-options.ts', import.meta.url);
  const file = ts.createSourceFile(
    'runtime-options.ts',
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const defaults = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'RuntimeOptions') {
      for (const member of node.members) {
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
        if (member.name !== undefined && ts.isIdentifier(member.name) && tag !== undefined) {
          defaults.set(member.name.text, ts.getTextOfJSDocComment(tag.comment) ?? '');
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return defaults;
}

/** The value a `@default` starts with: a quoted string, a number or a boolean (the rest explains it). */
function leadingValue(text: string): unknown {
  const quoted = /^'([^']*)'/u.exec(text);
  if (quoted) return quoted[1];
  const token = text.split(/\s/u)[0] ?? '';
  return token === 'true' || token === 'false' ? token === 'true' : Number(token);
}

describe('RUNTIME_OPTION_DEFAULTS', () => {
  it('is what resolveRuntimeOptions fills in, frozen', () => {
    const resolved = resolveRuntimeOptions({ module });
    expect(Object.isFrozen(RUNTIME_OPTION_DEFAULTS)).toBe(true);
    for (const [option, value] of Object.entries(RUNTIME_OPTION_DEFAULTS)) {
      if (option === 'listen') expect(`${resolved.host}:${resolved.port}`).toBe(value);
      else if (option === 'dataDir') expect(resolved.dataDir).toBe(resolve(String(value)));
      else expect(resolved[option as keyof typeof resolved], option).toBe(value);
    }
    expect(RUNTIME_OPTION_DEFAULTS).toMatchObject({ listen: '127.0.0.1:8091', leaseMs: 10_000 });
  });

  it('holds only options with a fixed default (derived ones are not listed)', () => {
    for (const derived of ['storeUrl', 'nodeId', 'advertise', 'heartbeatMs']) {
      expect(RUNTIME_OPTION_DEFAULTS).not.toHaveProperty(derived);
    }
  });

  it('matches the @default of every RuntimeOptions field that has a fixed default', () => {
    const documented = tsdocDefaults();
    const mismatches = Object.entries(RUNTIME_OPTION_DEFAULTS)
      .filter(([option, value]) => leadingValue(documented.get(option) ?? '') !== value)
      .map(([option, value]) => `${option}: @default ${documented.get(option)} but the schema says ${value}`);
    expect(mismatches).toEqual([]);
  });
});

describe('resolveRuntimeOptions', () => {
  it('rejects an invalid option naming it, in the message and in `option`, with the value seen', () => {
    const cases: [Partial<RuntimeOptions>, string, string][] = [
      [
        { listen: 'nowhere' },
        'listen',
        'runtime option listen: expected host:port, e.g. 127.0.0.1:8091, got "nowhere"',
      ],
      [{ listen: '127.0.0.1:70000' }, 'listen', 'runtime option listen: port 70000 is over 65535'],
      [
        { maxIngressBytes: 0 },
        'maxIngressBytes',
        'runtime option maxIngressBytes: expected a positive whole number, got 0',
      ],
      [{ maxInboxMessages: Number('ten') }, 'maxInboxMessages', 'expected a positive whole number, got NaN'],
      [{ keyGroups: 1.5 }, 'keyGroups', 'expected a whole number from 1 to 65536, got 1.5'],
      [{ maxInboxBytes: 100 }, 'maxInboxBytes', 'expected a whole number ≥ 65536, got 100'],
      [{ leaseMs: 100 }, 'leaseMs', 'runtime option leaseMs: expected a whole number ≥ 500, got 100'],
      [
        { storeUrl: 'mysql://x' },
        'storeUrl',
        'expected a postgres://user:password@host:port/database URL, got "mysql://x"',
      ],
      [{ heartbeatMs: 6_000 }, 'heartbeatMs', 'heartbeatMs (6000) must be at most half of leaseMs (10000)'],
    ];
    for (const [options, option, message] of cases) {
      const err = rejection(options);
      expect(err.code).toBe('ERR_CONFIG_INVALID_OPTION');
      expect(err.option).toBe(option);
      expect(err.message).toContain(message);
    }
  });

  it.each([
    ['mysql://u:PW-SECRET@h/db', 'expected a postgres://', 'mysql://u:***@h/db'],
    [
      'postgres://u:PW-SECRET%ZZ@127.0.0.1:1/db',
      'has an invalid percent-encoding',
      'postgres://u:***@127.0.0.1:1/db',
    ],
    ['postgres://u@h/db?password=PW-SECRET%E0', 'write a "%" in the password as %25', 'password=***'],
  ])('rejects storeUrl %s without printing the password', (storeUrl, message, shown) => {
    const err = rejection({ storeUrl });
    expect(err.code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect(err.option).toBe('storeUrl');
    expect(err.message).toContain(message);
    expect(err.message).toContain(shown);
    expect(err.message).not.toContain('PW-SECRET');
  });

  it('rejects a snapshot location with credentials without printing them', () => {
    const err = rejection({ snapshotTo: 's3://AKIA:SECRET@bucket/p', snapshotEvery: '15m' });
    expect(err.code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect(err.option).toBe('snapshotTo');
    expect(err.message).toContain('"s3://***:***@bucket/p": credentials do not go in the URL');
    expect(err.message).not.toMatch(/AKIA|SECRET/u);
  });

  it('rejects an unknown option, naming it', () => {
    const err = rejection({ listenn: '127.0.0.1:0' } as Partial<RuntimeOptions>);
    expect(err.code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect(err.message).toContain('listenn');
    expect(err.option).toBeUndefined();
  });

  it('takes a Clock, or a plain now() as earlier versions did (timers then run on real time)', () => {
    const now = (): number => 42;
    const resolved = resolveRuntimeOptions({ module, clock: now });
    expect(resolved.clock.now()).toBe(42);
    expect(typeof resolved.clock.setTimeout).toBe('function');
    const clock = { now, setTimeout: () => 0 as never, clearTimeout: () => undefined };
    expect(resolveRuntimeOptions({ module, clock }).clock).toBe(clock);
  });

  it('never mentions a CLI flag (the CLI adds its own)', () => {
    expect(rejection({ maxIngressBytes: -1 }).message).not.toMatch(/--[a-z]/u);
  });
});
