/** The built `statehouse` command as users run it: help, usage errors, clean stop on SIGTERM. */
import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  CLI_BIN,
  RuntimeProcess,
  createTempDir,
  moduleYaml,
  serveOfficialCart,
  waitFor,
  CART_TYPES,
  type TempDir,
} from '@statehouse/testkit';

const run = promisify(execFile);
const VALID_MODULE =
  'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: example/*\n  urlPathTemplate: http://127.0.0.1:1/x\n';
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('statehouse CLI', () => {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await d.cleanup();
  });
  async function tempDir(): Promise<string> {
    const dir = await createTempDir();
    dirs.push(dir);
    return dir.path;
  }
  async function tempFile(name: string, text: string): Promise<string> {
    const path = join(await tempDir(), name);
    await writeFile(path, text);
    return path;
  }

  it('--help lists every command', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('statehouse run <module.yaml>');
    expect(cli(['run', '--help']).stdout).toMatch(
      /--data-dir DIR[\s\S]*--listen HOST:PORT[\s\S]*--store URL/,
    );
  });

  it('works through npx at the repo root', async () => {
    const { stdout } = await run('npx', ['--no-install', 'statehouse', '--help'], { cwd: REPO_ROOT });
    expect(stdout).toContain('statehouse run <module.yaml>');
  });

  it('explains usage errors with exit code 2', async () => {
    expect(cli(['frobnicate'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"') as string,
    });
    expect(cli(['run'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('needs a module file') as string,
    });
    expect(cli(['run', '/nonexistent/module.yaml'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('cannot read module file') as string,
    });
    // A Kinesis ingress loads (and is checked): a document missing its streams names the field.
    const kinesis = await tempFile(
      'kinesis.yaml',
      'kind: io.statefun.kinesis.v1/ingress\nspec:\n  id: example/in\n',
    );
    const r = cli(['run', kinesis]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /kinesis\.yaml, document 1 \(io\.statefun\.kinesis\.v1\/ingress\): spec\.streams: is required/,
    );
    // A Kafka ingress loads (and is checked): a document missing its topics names the field.
    const kafka = await tempFile(
      'kafka.yaml',
      'kind: io.statefun.kafka.v1/ingress\nspec:\n  id: example/in\n  address: 127.0.0.1:9092\n  consumerGroupId: g\n',
    );
    const k = cli(['run', kafka]);
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(
      /kafka\.yaml, document 1 \(io\.statefun\.kafka\.v1\/ingress\): spec\.topics: is required/,
    );
    const typo = await tempFile(
      'typo.yaml',
      'kind: io.statefun.endpoints.v2/http\nspec:\n  functions: example/*\n  urlPathTemplate: http://127.0.0.1:1/x\n  maxNumBatchRequest: 3\n',
    );
    expect(cli(['run', typo]).stderr).toContain('maxNumBatchRequest');
    expect(cli(['run', typo, '--log-level', 'loud']).stderr).toContain('--log-level must be one of');
  });

  it('names the flag whose value the runtime rejects (with a module that loads)', async () => {
    const valid = await tempFile('module.yaml', VALID_MODULE);
    const dataDir = join(await tempDir(), 'data');
    const rejected = (flag: string, value: string): { status: number | null; stderr: string } =>
      cli(['run', valid, '--data-dir', dataDir, flag, value]);
    const listen = rejected('--listen', 'nowhere');
    expect(listen.status).toBe(2);
    expect(listen.stderr).toContain(
      '--listen: runtime option listen: expected host:port, e.g. 127.0.0.1:8091, got "nowhere" [ERR_CONFIG_INVALID_OPTION]',
    );
    expect(rejected('--max-ingress-bytes', '0')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining(
        '--max-ingress-bytes: runtime option maxIngressBytes: expected a positive',
      ) as string,
    });
    expect(rejected('--max-inbox-messages', 'many')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--max-inbox-messages: runtime option maxInboxMessages') as string,
    });
    expect(rejected('--store', 'mysql://db')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--store: runtime option storeUrl: expected a postgres://') as string,
    });
  });

  it('names --listen when the address is taken', async () => {
    const valid = await tempFile('module.yaml', VALID_MODULE);
    const dataDir = join(await tempDir(), 'data');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const r = cli(['run', valid, '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is in use`);
      expect(r.stderr).toContain('[ERR_CONFIG_LISTEN_FAILED]\nstatehouse: choose another --listen HOST:PORT');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('logs an unhandled rejection as a fatal line and exits with code 1', async () => {
    const module = await tempFile('module.yaml', VALID_MODULE);
    // A preload that leaves a rejected promise unhandled once the runtime runs: a stand-in for a defect.
    const preload = await tempFile(
      'defect.mjs',
      "setTimeout(() => { Promise.reject(new Error('injected defect')); }, 1500);\n",
    );
    const dataDir = await tempDir();
    const child = spawnSync(
      process.execPath,
      ['--import', preload, CLI_BIN, 'run', module, '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.status).toBe(1);
    const fatal = child.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
      .find((entry) => entry.level === 60);
    expect(fatal?.msg).toContain('unhandled promise rejection: a defect');
    expect(fatal?.err?.message).toBe('injected defect');
  });

  it('ignores SIGHUP without TLS, stops cleanly on SIGTERM with exit code 0 and keeps committed data', async () => {
    const dir = await createTempDir();
    dirs.push(dir);
    const service = await serveOfficialCart();
    try {
      const yaml = moduleYaml({
        endpoints: [{ functions: 'example/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [CART_TYPES.egress],
      });
      const runtime = new RuntimeProcess({ dataDir: join(dir.path, 'data'), moduleYaml: yaml });
      await runtime.start();
      const api = new ApiClient(runtime.url);
      expect(
        (
          await api.ingressJson('example/inventory', 'pen', CART_TYPES.restock, {
            itemId: 'pen',
            quantity: 3,
          })
        ).status,
      ).toBe(202);
      // SIGHUP reloads TLS files; without TLS it is logged and ignored (its default action would end the process).
      process.kill(runtime.pid!, 'SIGHUP');
      await waitFor('the SIGHUP line', () =>
        runtime.logs.some((l) => String(l['msg']).startsWith('SIGHUP ignored')),
      );
      expect((await api.get('/readyz')).status).toBe(200);
      expect(await runtime.stop('SIGTERM')).toBe(0);
      await runtime.start();
      const state = await new ApiClient(runtime.url).state('example/inventory', 'pen');
      expect(state.body.values?.['stock']?.json).toEqual({ inStock: 3, reserved: 0 });
      expect(await runtime.stop('SIGINT')).toBe(0);
    } finally {
      await service.close();
    }
  });
});
