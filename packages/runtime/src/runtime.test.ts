import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModuleFiles } from './config/index.js';
import { StatehouseError } from './errors.js';
import { createRuntime, Runtime } from './runtime.js';
import type { RuntimeOptions } from './runtime-options.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function options(): Promise<RuntimeOptions> {
  const dir = await mkdtemp(join(tmpdir(), 'statehouse-runtime-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const module = loadModuleFiles([
    {
      path: 'module.yaml',
      text: 'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: t/*\n  urlPathTemplate: http://127.0.0.1:9/{function.name}\n',
    },
  ]);
  return {
    module,
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    collectProcessMetrics: false,
  };
}

describe('Runtime lifecycle', () => {
  it('refuses a second start with ERR_RUNTIME_INVALID_STATE, and keeps running', async () => {
    const runtime = await createRuntime(await options());
    cleanups.push(() => runtime.close());
    const second = runtime.start();
    await expect(second).rejects.toBeInstanceOf(StatehouseError);
    await expect(second).rejects.toMatchObject({
      code: 'ERR_RUNTIME_INVALID_STATE',
      message: expect.stringContaining('in state RUNNING') as unknown,
    });
    expect(runtime.state).toBe('RUNNING');
  });

  it('refuses to start a closed runtime', async () => {
    const runtime = new Runtime(await options());
    await runtime.close();
    await expect(runtime.start()).rejects.toMatchObject({ code: 'ERR_RUNTIME_INVALID_STATE' });
    expect(runtime.state).toBe('STOPPED');
  });
});
