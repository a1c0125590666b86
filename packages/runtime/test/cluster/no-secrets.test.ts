/**
 * No secret in anything a run prints: a cluster process started with a password in its `--store` URL, an API
 * token and a signing key for calls to functions, its logs (debug level), `/metrics`, `cluster status` (readable
 * and JSON), snapshots, and the errors of commands given a URL with a password that cannot connect or a signing
 * key that is refused — none holds the password, the token or a key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  CART_TYPES,
  RuntimeProcess,
  createTempDir,
  freePort,
  moduleYaml,
  runCli,
  serveOfficialCart,
  startPostgres,
  type FunctionService,
  type TempDir,
  type TestPostgres,
} from '@statehouse/testkit';

const PASSWORD = 'Pw-9f3c1e7a-never-print-me';
const TOKEN = 'tok-5b2d8e6f-never-print-me-either';
const SIGNING_PEM = generateKeyPairSync('ed25519').privateKey.export({
  format: 'pem',
  type: 'pkcs8',
}) as string;
/** The key's base64 lines: what would show if the key were printed. */
const SIGNING_KEY_LINES = SIGNING_PEM.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
const HMAC_SECRET = 'hmac-1d7e3a9c5b2f4e8a-never-print-this-secret';
const SHORT_SECRET = 'short-secret-never-print';

describe('no secret in output', () => {
  let dir: TempDir;
  let pg: TestPostgres;
  let cart: FunctionService;

  beforeAll(async () => {
    [dir, pg, cart] = await Promise.all([createTempDir(), startPostgres(), serveOfficialCart()]);
  });

  afterAll(async () => {
    await cart?.close();
    await pg?.stop();
    await dir?.cleanup();
  });

  it('prints neither the store password, the API token nor a signing key, running or failing', async () => {
    // A role of its own, so that its password is one nothing else prints.
    const admin = new URL(await pg.createDatabase());
    const sql = postgres(admin.href, { max: 1, onnotice: () => {} });
    await sql.unsafe(`CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`);
    await sql.unsafe(`GRANT ALL ON SCHEMA public TO app`);
    await sql.unsafe(`GRANT ALL ON DATABASE ${admin.pathname.slice(1)} TO app`);
    await sql.end();
    const store = new URL(admin.href);
    [store.username, store.password] = ['app', PASSWORD];
    const unreachable = `postgres://app:${PASSWORD}@127.0.0.1:${await freePort()}/nowhere`;

    const printed: string[] = [];
    const module = moduleYaml({
      endpoints: [{ functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` }],
      logEgresses: [CART_TYPES.egress],
    });
    await writeFile(`${dir.path}/module.yaml`, module);
    const keyFile = `${dir.path}/signing.pem`;
    await writeFile(keyFile, SIGNING_PEM, { mode: 0o600 });
    const runtime = new RuntimeProcess({
      dataDir: `${dir.path}/unused`,
      moduleYaml: module,
      args: ['--store', store.href, '--node-id', 'n1', '--log-level', 'debug', '--signing-key', keyFile],
      env: { STATEHOUSE_API_TOKEN: TOKEN },
    });
    await runtime.start();
    try {
      const api = new ApiClient(runtime.url, { token: TOKEN });
      const sent = await api.ingressJson('example/cart', 'Kim', CART_TYPES.addToCart, {
        userId: 'Kim',
        itemId: 'x',
        quantity: 1,
      });
      expect(sent.status).toBe(202);
      printed.push(
        String((await api.get('/metrics')).body),
        JSON.stringify((await api.get('/v1/connectors')).body),
      );
      const env = { STATEHOUSE_API_TOKEN: TOKEN };
      for (const args of [
        ['cluster', 'status', '--store', store.href],
        ['cluster', 'status', '--store', store.href, '--json'],
        ['snapshot', 'create', '--store', store.href, '--to', `${dir.path}/snaps`, '--json'],
        ['snapshot', 'create', '--url', runtime.url, '--to', `${dir.path}/snaps`],
        ['cluster', 'status', '--store', unreachable],
        ['snapshot', 'create', '--store', unreachable, '--to', `${dir.path}/snaps`],
        ['restore', '--from', `${dir.path}/snaps`, '--latest', '--store', unreachable],
        ['state', 'export', '--store', unreachable],
      ]) {
        const done = await runCli(args, { env });
        printed.push(done.stdout, done.stderr);
      }
      const failing = await runCli(['run', `${dir.path}/module.yaml`, '--store', unreachable], { env });
      printed.push(failing.stdout, failing.stderr);
      // A signing key refused (too short), and two keys given at once.
      for (const [args, key] of [
        [[], SHORT_SECRET],
        [['--signing-key', keyFile], HMAC_SECRET],
      ] as const) {
        const refused = await runCli(['run', `${dir.path}/module.yaml`, ...args], {
          env: { ...env, STATEHOUSE_SIGNING_KEY: key },
        });
        expect(refused.code).not.toBe(0);
        printed.push(refused.stdout, refused.stderr);
      }
    } finally {
      await runtime.stop();
    }
    printed.push(JSON.stringify(runtime.logs), ...runtime.otherOutput, ...runtime.stderr);
    const all = printed.join('\n');
    // The run printed plenty (the checks below would pass on nothing).
    expect(all).toContain('runtime ready');
    expect(all).toContain('statehouse_');
    expect(all).toMatch(/ERR_CLI_STORE_UNREACHABLE|ERR_STORE_CONNECT_FAILED/u);
    expect(all).toContain('calls to functions are signed');
    expect(all).toMatch(/--signing-key \(or STATEHOUSE_SIGNING_KEY\): .*ERR_CONFIG_INVALID_OPTION/u);
    expect(all).toContain('are both given');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(TOKEN);
    for (const secret of [...SIGNING_KEY_LINES, HMAC_SECRET, SHORT_SECRET]) expect(all).not.toContain(secret);
  }, 120_000);
});
