/**
 * The CLI for daily work against a running runtime (the official SDK's shopping cart): `send`, `state get`,
 * `egress tail [-f]` and `stalled`, readable and `--json`, and their errors with exit codes: 3 for an address
 * without state or an unknown egress, 4 when no runtime answers, 2 for a bad flag.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CART_TYPES,
  CLI_BIN,
  RuntimeProcess,
  createTempDir,
  freePort,
  moduleYaml,
  serveOfficialCart,
  waitFor,
  type FunctionService,
  type TempDir,
  runCli,
  type CliRun,
} from '@statehouse/testkit';

describe('statehouse send, state get, egress tail, stalled', () => {
  let dir: TempDir;
  let cart: FunctionService;
  let runtime: RuntimeProcess;

  function cli(...args: string[]): Promise<CliRun> {
    return runCli(args, { env: { STATEHOUSE_URL: runtime.url }, timeoutMs: 30_000 });
  }

  beforeAll(async () => {
    dir = await createTempDir();
    cart = await serveOfficialCart();
    const deadPort = await freePort();
    runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data`,
      moduleYaml: moduleYaml({
        endpoints: [
          { functions: 'example/*', urlPathTemplate: `${cart.url}/statefun` },
          // Nothing listens there: its addresses stall once the 1 s call budget is spent.
          { functions: 'broken/*', urlPathTemplate: `http://127.0.0.1:${deadPort}/statefun`, call: '1s' },
        ],
        logEgresses: [CART_TYPES.egress],
      }),
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await cart?.close();
    await dir?.cleanup();
  });

  it('sends messages, reads the state they made and tails the egress', async () => {
    const restock = await cli(
      'send',
      'example/inventory/socks',
      '--type',
      CART_TYPES.restock,
      '--json',
      '{"itemId":"socks","quantity":5}',
    );
    expect(restock).toMatchObject({ code: 0 });
    expect(restock.stdout).toMatch(/^accepted \d+\n$/u);
    // A follower started before the result exists sees it arrive.
    const follower = spawn(process.execPath, [
      CLI_BIN,
      'egress',
      'tail',
      CART_TYPES.egress,
      '-f',
      '--json',
      '--url',
      runtime.url,
    ]);
    const followed: unknown[] = [];
    createInterface({ input: follower.stdout }).on('line', (line) => followed.push(JSON.parse(line)));
    try {
      const add = { userId: 'Kim', itemId: 'socks', quantity: 2 };
      for (const key of ['k1', 'k1']) {
        const sent = await cli(
          'send',
          'example/cart/Kim',
          '--type',
          CART_TYPES.addToCart,
          '--json',
          JSON.stringify(add),
          '--idempotency-key',
          key,
          '-o',
          'json',
        );
        expect(sent.code).toBe(0);
        expect(JSON.parse(sent.stdout)).toHaveProperty('messageId');
      }
      await waitFor('the followed result', () => followed.length >= 1, { timeoutMs: 15_000 });
    } finally {
      follower.kill();
    }
    expect(followed).toEqual([
      expect.objectContaining({
        offset: 0,
        type: CART_TYPES.result,
        json: { ...{ userId: 'Kim', itemId: 'socks', quantity: 2 }, success: true },
      }),
    ]);

    const state = await cli('state', 'get', 'example/cart/Kim');
    expect(state.code).toBe(0);
    expect(state.stdout).toMatch(/^NAME\s+TYPE\s+VALUE\nitems\s+\S+\s+\{"socks":2\}\n$/u);
    const stateJson = await cli('state', 'get', 'example/inventory/socks', '--json');
    expect(JSON.parse(stateJson.stdout)).toMatchObject({ stock: { json: { inStock: 3, reserved: 2 } } });

    const tail = await cli('egress', 'tail', CART_TYPES.egress, '-n', '5');
    // One record: the repeated idempotency key did not enqueue twice.
    expect(tail.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^0 {2}example\/AddToCartResult {2}\{"userId":"Kim",.*"success":true\}$/u),
    ]);
  }, 60_000);

  it('lists stalled addresses', async () => {
    expect((await cli('send', 'broken/thing/x1', '--type', 'broken/Poke', '--text', 'hello')).code).toBe(0);
    const listed = await waitFor(
      'a stalled address',
      async () => {
        const out = await cli('stalled', '--json');
        const body = JSON.parse(out.stdout) as {
          total: number;
          stalled: { id: string; lastError: { code: string } }[];
        };
        return body.total > 0 ? body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(listed.stalled[0]).toMatchObject({ id: 'x1', lastError: { code: 'ERR_INVOKE_TRANSPORT' } });
    const table = await cli('stalled');
    expect(table.stdout).toMatch(/^ADDRESS\s+SINCE\s+ATTEMPTS\s+BATCH\s+LAST ERROR\nbroken\/thing\/x1\s/u);
  }, 40_000);

  it('exits 3 for what does not exist, 4 when no runtime answers, 2 for a bad flag', async () => {
    const noState = await cli('state', 'get', 'example/cart/nobody');
    expect(noState.code).toBe(3);
    expect(noState.stderr).toContain('ERR_API_NO_STATE');
    const typo = await cli('state', 'get', 'exmple/cart/Kim'); // no endpoint serves namespace exmple
    expect([typo.code, typo.stderr]).toEqual([3, expect.stringContaining('ERR_API_UNKNOWN_FUNCTION_TYPE')]);
    const noEgress = await cli('egress', 'tail', 'example/nope');
    expect(noEgress.code).toBe(3);
    expect(noEgress.stderr).toContain('ERR_API_UNKNOWN_EGRESS');
    const unserved = await cli('send', 'other/type/1', '--type', 'a/B', '--text', 'x');
    expect(unserved.code).toBe(3);
    expect(unserved.stderr).toContain('ERR_API_UNKNOWN_FUNCTION_TYPE');
    const down = await cli('stalled', '--url', `http://127.0.0.1:${await freePort()}`);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('ERR_CLI_RUNTIME_UNREACHABLE');
    const badAddress = await cli('state', 'get', 'example/cart');
    expect(badAddress.code).toBe(2);
    expect(badAddress.stderr).toContain('namespace/name/id');
    const badJson = await cli('send', 'example/cart/Kim', '--type', CART_TYPES.addToCart, '--json', '{nope');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--json is not valid JSON');
    // A frozen runtime accepts connections and never answers: the command gives up ($STATEHOUSE_TIMEOUT_MS).
    runtime.pause();
    try {
      const frozen = await runCli(['stalled'], {
        env: { STATEHOUSE_URL: runtime.url, STATEHOUSE_TIMEOUT_MS: '500' },
        timeoutMs: 15_000,
      });
      expect([frozen.code, frozen.stderr]).toEqual([
        4,
        expect.stringContaining('ERR_CLI_RUNTIME_UNREACHABLE'),
      ]);
    } finally {
      runtime.resume();
    }
  }, 40_000);
});
