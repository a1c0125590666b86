/**
 * API authentication and scopes (`run --api-tokens FILE`, `STATEHOUSE_API_TOKEN`): every route (dead letters: read to
 * list and show, admin to replay and discard) × {no token, wrong
 * token, a token without the scope, the right token} answers its documented status and code; a token restricted to
 * `example/cart*` cannot send to `example/inventory`; health and readiness stay open; `/metrics` is open unless
 * configured otherwise; the CLI sends the token of its environment; an open API beyond loopback is refused at start;
 * and no token appears in anything the runtime prints.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  CART_TYPES,
  RuntimeProcess,
  createTempDir,
  moduleYaml,
  runCli,
  serveOfficialCart,
  waitFor,
  type FunctionService,
  type TempDir,
} from '@statehouse/testkit';

const TOKENS = {
  cart: 'cart-only-token-0123456789',
  reader: 'reader-token-0123456789ab',
  admin: 'admin-token-0123456789abcd',
  all: 'env-token-with-every-scope-01',
} as const;

const FILE = `
tokens:
  - name: cart-frontend
    token: ${TOKENS.cart}
    scopes: [ingress]
    functionTypes: ["example/cart*"]
  - name: dashboards
    token: ${TOKENS.reader}
    scopes: [read]
  - name: ops
    token: ${TOKENS.admin}
    scopes: [admin]
metrics: read
`;

interface Route {
  readonly name: string;
  readonly scope: 'ingress' | 'read' | 'admin';
  readonly call: (api: ApiClient) => Promise<{ status: number; body: unknown }>;
  /** The status with the right token. */
  readonly ok: number;
}

const add = { userId: 'Kim', itemId: 'socks', quantity: 1 };
const ROUTES: readonly Route[] = [
  {
    name: 'ingress',
    scope: 'ingress',
    ok: 202,
    call: (a) => a.ingressJson('example/cart', 'Kim', CART_TYPES.addToCart, add),
  },
  { name: 'egress', scope: 'read', ok: 200, call: (a) => a.egress(CART_TYPES.egress) },
  { name: 'state', scope: 'read', ok: 404, call: (a) => a.state('example/cart', 'nobody') },
  { name: 'stalled', scope: 'read', ok: 200, call: (a) => a.get('/v1/stalled') },
  { name: 'backlog', scope: 'read', ok: 200, call: (a) => a.get('/v1/backlog') },
  { name: 'connectors', scope: 'read', ok: 200, call: (a) => a.get('/v1/connectors') },
  { name: 'metrics', scope: 'read', ok: 200, call: (a) => a.get('/metrics') },
  { name: 'state export', scope: 'admin', ok: 200, call: (a) => a.get('/v1/admin/state') },
  { name: 'snapshot', scope: 'admin', ok: 400, call: (a) => a.postJson('/v1/admin/snapshots', {}) },
  { name: 'dead letters', scope: 'read', ok: 200, call: (a) => a.get('/v1/dead-letters') },
  { name: 'dead letter', scope: 'read', ok: 404, call: (a) => a.get('/v1/dead-letters/1') },
  {
    name: 'dead letter replay',
    scope: 'admin',
    ok: 404,
    call: (a) => a.postJson('/v1/dead-letters/1/replay', {}),
  },
  {
    name: 'dead letter discard',
    scope: 'admin',
    ok: 404,
    call: (a) => a.postJson('/v1/dead-letters/1/discard', {}),
  },
];

const TOKEN_OF_SCOPE = { ingress: TOKENS.cart, read: TOKENS.reader, admin: TOKENS.admin } as const;
const OTHER_SCOPE = { ingress: TOKENS.reader, read: TOKENS.admin, admin: TOKENS.cart } as const;

describe('API tokens and scopes', () => {
  let dir: TempDir;
  let cart: FunctionService;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    dir = await createTempDir();
    cart = await serveOfficialCart();
    await writeFile(`${dir.path}/tokens.yaml`, FILE);
    runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data`,
      moduleYaml: moduleYaml({
        endpoints: [{ functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` }],
        logEgresses: [CART_TYPES.egress],
      }),
      args: ['--api-tokens', `${dir.path}/tokens.yaml`],
      env: { STATEHOUSE_API_TOKEN: TOKENS.all },
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await cart?.close();
    await dir?.cleanup();
  });

  it('answers each route by token: 401 without or with a wrong one, 403 without the scope, else served', async () => {
    const seen: string[] = [];
    for (const route of ROUTES) {
      const cases: [string, string | undefined, number, string | undefined][] = [
        ['no token', undefined, 401, 'ERR_API_UNAUTHENTICATED'],
        ['wrong token', 'not-a-token-of-this-runtime', 401, 'ERR_API_UNAUTHENTICATED'],
        ['other scope', OTHER_SCOPE[route.scope], 403, 'ERR_API_FORBIDDEN'],
        ['right token', TOKEN_OF_SCOPE[route.scope], route.ok, undefined],
        ['env token', TOKENS.all, route.ok, undefined],
      ];
      for (const [label, token, status, code] of cases) {
        const answer = await route.call(new ApiClient(runtime.url, token === undefined ? {} : { token }));
        const got = (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
        seen.push(
          `${route.name} / ${label}: ${answer.status}${status >= 400 && code !== undefined ? ` ${got}` : ''}`,
        );
        expect(
          `${route.name} / ${label}: ${answer.status}${status >= 400 && code !== undefined ? ` ${got}` : ''}`,
        ).toBe(`${route.name} / ${label}: ${status}${code === undefined ? '' : ` ${code}`}`);
      }
    }
    expect(seen).toHaveLength(ROUTES.length * 5);
  });

  it('keeps health and readiness open and restricts ingress to the token’s function types', async () => {
    expect((await new ApiClient(runtime.url).get('/healthz')).status).toBe(200);
    expect((await new ApiClient(runtime.url).get('/readyz')).status).toBe(200);
    const cartOnly = new ApiClient(runtime.url, { token: TOKENS.cart });
    const denied = await cartOnly.ingressJson('example/inventory', 'socks', CART_TYPES.restock, {
      itemId: 'socks',
      quantity: 1,
    });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toContain('may not send to function type example/inventory');
    const unauthenticated = await new ApiClient(runtime.url).get('/v1/stalled');
    expect(unauthenticated.headers['www-authenticate']).toBe('Bearer realm="statehouse"');
  });

  it('keeps idempotency keys per function type: a restricted token cannot claim the key of another type', async () => {
    const cartOnly = new ApiClient(runtime.url, { token: TOKENS.cart });
    const everything = new ApiClient(runtime.url, { token: TOKENS.all });
    const add = { userId: 'mallory', itemId: 'socks', quantity: 1 };
    const claimed = await cartOnly.ingressJson(
      'example/cart',
      'mallory',
      CART_TYPES.addToCart,
      add,
      'order-1001',
    );
    const restock = { itemId: 'gold', quantity: 5 };
    const other = await everything.ingressJson(
      'example/inventory',
      'gold',
      CART_TYPES.restock,
      restock,
      'order-1001',
    );
    expect([claimed.status, other.status]).toEqual([202, 202]);
    expect(other.body.messageId).not.toBe(claimed.body.messageId);
    await waitFor('the restock applied', async () => {
      const state = await everything.state('example/inventory', 'gold');
      return (state.body.values?.['stock']?.json as { inStock?: number } | undefined)?.inStock === 5;
    });
    // Within a type the key still makes a retry a no-op.
    const retry = await cartOnly.ingressJson(
      'example/cart',
      'mallory',
      CART_TYPES.addToCart,
      add,
      'order-1001',
    );
    expect(retry.body.messageId).toBe(claimed.body.messageId);
  });

  it('lets the CLI in with the token of its environment, and not without', async () => {
    const env = { STATEHOUSE_URL: runtime.url };
    const without = await runCli(['stalled'], { env });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('ERR_API_UNAUTHENTICATED');
    const withToken = await runCli(['stalled'], { env: { ...env, STATEHOUSE_API_TOKEN: TOKENS.reader } });
    expect(withToken).toMatchObject({ code: 0, stdout: 'no stalled address\n' });
  });

  it('refuses a snapshot location with credentials, showing it masked', async () => {
    const admin = new ApiClient(runtime.url, { token: TOKENS.admin });
    const answer = await admin.postJson('/v1/admin/snapshots', { to: 's3://AKIA-SNAP:SNAP-SECRET@bucket/p' });
    expect(answer.status).toBe(400);
    const body = JSON.stringify(answer.body);
    expect(body).toContain('ERR_SNAPSHOT_INVALID_LOCATION');
    expect(body).toContain('s3://***:***@bucket/p');
    expect(body).not.toMatch(/AKIA-SNAP|SNAP-SECRET/u);
  });

  it('never prints a token', () => {
    const printed = JSON.stringify([runtime.logs, runtime.otherOutput, runtime.stderr]);
    for (const token of Object.values(TOKENS)) expect(printed).not.toContain(token);
    expect(printed).not.toMatch(/AKIA-SNAP|SNAP-SECRET/u);
  });

  it('refuses an open API beyond loopback at start, and an invalid tokens file naming the field', async () => {
    await writeFile(
      `${dir.path}/module.yaml`,
      moduleYaml({ endpoints: [{ functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` }] }),
    );
    const start = (...args: string[]) =>
      runCli(['run', `${dir.path}/module.yaml`, '--data-dir', `${dir.path}/never`, ...args]);
    const open = await start('--listen', '0.0.0.0:0');
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('ERR_CONFIG_INSECURE_LISTEN');
    await writeFile(
      `${dir.path}/weak.yaml`,
      'tokens:\n  - name: weak\n    token: short\n    scopes: [read]\n',
    );
    const weak = await start('--api-tokens', `${dir.path}/weak.yaml`);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/tokens\.0\.token: expected at least 16 characters/u);
  });
});
