import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadModuleFiles } from './config/index.js';
import { Runtime } from './runtime.js';

describe('Runtime: module warnings', () => {
  it('logs a warning for a policy of a type that only a namespace wildcard binds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'statehouse-runtime-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const module = loadModuleFiles([
      {
        path: 'module.yaml',
        text:
          'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: t/*\n  urlPathTemplate: http://127.0.0.1:9/{function.name}\n' +
          '---\nkind: io.statehouse.functions.v1/policy\nspec:\n  functions: t/fial\n  maxBacklog: 5\n',
      },
    ]);
    const runtime = new Runtime({ module, dataDir: join(dir, 'data'), logger: pino(sink) });
    await runtime.close();
    expect(lines.filter((line) => line['level'] === 40)).toEqual([
      expect.objectContaining({
        warning: 'policy-type-bound-only-by-wildcard',
        source: 'module.yaml document 2',
        functionType: 't/fial',
        boundBy: 'module.yaml document 1',
        msg: expect.stringContaining('names t/fial, which no endpoint binds by name') as unknown,
      }),
    ]);
  });
});
