/**
 * The web console (`/console`) in real Chromium (Debian's `chromium`, driven by playwright-core): the cart demo
 * runs with a function that fails until told otherwise; each view is opened, its numbers are checked against the
 * JSON API, "Retry now" on the stalled address makes it recover, and a screenshot of each view is saved (under
 * docs/console/ for the README with STATEHOUSE_UPDATE_SCREENSHOTS=1). Also: the focus survives the refreshes, an
 * action's error stays, a rejected token is said so, "Skip to content" keeps the view, no CSP error or 404.
 * One browser for all views, to keep the test fast.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFunction, jsonType, serve, valueSpec } from '@statehouse/sdk';
import { createRuntime, loadModuleFiles, type Runtime } from '@statehouse/runtime';
import { createTempDir, moduleYaml } from '@statehouse/testkit';
import { functions } from '../src/index.js';
import { AddToCartType, RestockType } from '../src/messages.js';

const CHROMIUM = '/usr/bin/chromium';
// The README's screenshots are written with STATEHOUSE_UPDATE_SCREENSHOTS=1; otherwise they go to a temp dir, so
// that a test run leaves the working tree as it was.
const SHOTS =
  process.env['STATEHOUSE_UPDATE_SCREENSHOTS'] === '1'
    ? fileURLToPath(new URL('../../../docs/console/', import.meta.url))
    : `${mkdtempSync(join(tmpdir(), 'statehouse-console-'))}/`;
const USERS = ['Kim', 'Ola', 'Ana', 'Raj'];
const ITEMS = ['pen', 'mug', 'hat'];

/** `console/flaky` throws while `broken` is set: its address stalls, and recovers once fixed and retried. */
let broken = true;
const PokeType = jsonType<{ n: number }>('console/Poke');
const flaky = defineFunction({
  type: 'console/flaky',
  state: { pokes: valueSpec(jsonType<number>('console/Pokes')) },
  handle(ctx) {
    if (broken) throw new Error('the flaky function is broken (until the test fixes it)');
    ctx.state.pokes = (ctx.state.pokes ?? 0) + 1;
  },
});

const cleanups: (() => Promise<void>)[] = [];
let runtime: Runtime;
let browser: Browser;
let page: Page;
let sent = 0;

async function ingress(type: string, id: string, typename: string, value: unknown): Promise<void> {
  const [ns, name] = type.split('/');
  const res = await fetch(`${runtime.url}/v1/ingress/${ns}/${name}/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'statefun-type': typename },
    body: JSON.stringify(value),
  });
  expect(res.status).toBe(202);
}

async function addToCart(i: number): Promise<void> {
  const userId = USERS[i % USERS.length]!;
  await ingress('example/cart', userId, AddToCartType.typename, {
    userId,
    itemId: ITEMS[i % 3]!,
    quantity: 1,
  });
  sent += 1;
}

async function json<T>(path: string): Promise<T> {
  const res = await fetch(`${runtime.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Waits until every AddToCart sent so far has its result on the egress (the demo is idle then). */
async function settled(): Promise<void> {
  await expect
    .poll(async () => (await json<{ next: number }>('/v1/egress/example/cart-results?from=-1')).next, {
      timeout: 10_000,
    })
    .toBe(sent);
}

/** The text of a cell (`data-field`) of the row matching `row`. */
function cell(row: string, field: string): Promise<string> {
  return page.locator(`${row} [data-field="${field}"]`).innerText();
}

/** Opens a view with the keyboard, as a user without a mouse would: its heading takes the focus. */
async function open(view: string): Promise<void> {
  await page.focus(`nav a[href="#${view}"]`);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('nav a[aria-current="page"]').getAttribute('href')).toBe(`#${view}`);
  await expect.poll(() => page.locator('#view-title:focus').count()).toBe(1);
}

describe('the web console in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does)`,
      );
    const service = await serve([...functions, flaky], { host: '127.0.0.1', port: 0 });
    cleanups.push(() => service.close());
    const dir = await createTempDir('statehouse-console-');
    cleanups.push(() => dir.cleanup());
    const url = `${service.url}statefun`;
    runtime = await createRuntime({
      module: loadModuleFiles([
        {
          path: 'module.yaml',
          text: moduleYaml({
            endpoints: [
              { functions: 'example/*', urlPathTemplate: url },
              // A short call budget: the flaky address stalls after a second of failures.
              { functions: 'console/*', urlPathTemplate: url, call: '1s' },
            ],
            logEgresses: ['example/cart-results', 'example/orders'],
          }),
        },
      ]),
      dataDir: dir.path,
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
      stalledRetryMaxMs: 60_000,
    });
    cleanups.push(() => runtime.close());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    cleanups.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // No CSP violation (they are console errors) and no 404 (such as /favicon.ico).
    page.on('console', (m) => {
      // (but the 401 and 403 the test answers on purpose)
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) errors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() === 404) errors.push(`404 ${r.url()}`);
    });
    cleanups.push(() => Promise.resolve(expect(errors).toEqual([])));
    for (const itemId of ITEMS)
      await ingress('example/inventory', itemId, RestockType.typename, { itemId, quantity: 5 });
    await ingress('console/flaky', 'f-1', PokeType.typename, { n: 1 });
  }, 30_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('shows live rates, the flow graph, stalled addresses, state, egress and cluster; retry now recovers', async () => {
    await page.goto(`${runtime.url}/console/`);
    // Live traffic while the overview and the flow view are on screen: their rates and charts move.
    let running = true;
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        await addToCart(i);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    try {
      await expect
        .poll(async () => Number(await cell('[data-type="example/cart"]', 'messagesPerSecond')), {
          timeout: 5_000,
        })
        .toBeGreaterThan(0);
      await expect.poll(() => cell('[data-type="console/flaky"]', 'stalled'), { timeout: 8_000 }).toBe('1');
      // Enough points for the charts of the screenshot (the page samples the runtime every second).
      await expect
        .poll(
          async () => {
            const { types } = await json<{ types: { functionType: string; series: unknown[] }[] }>(
              '/v1/overview',
            );
            return types.find((t) => t.functionType === 'example/cart')!.series.length;
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(6);
      await page.waitForTimeout(1_100); // the page's next refresh draws them
      await page.screenshot({ path: `${SHOTS}overview.png` });
      await open('flow');
      await page.locator('svg.flow [data-node="egress:example/cart-results"]').waitFor();
      await page.screenshot({ path: `${SHOTS}flow.png` });
    } finally {
      running = false;
      await traffic;
    }
    await settled();

    // Numbers against the API, once the demo is idle: the edges of the flow view…
    const flow = await json<{ edges: { from: string; to: string; count: number }[] }>('/v1/flow');
    const edge = (from: string, to: string) => flow.edges.find((e) => e.from === from && e.to === to)!.count;
    expect(edge('ingress', 'example/cart')).toBe(sent);
    expect(edge('example/cart', 'egress:example/cart-results')).toBe(sent);
    expect(edge('example/cart', 'example/inventory')).toBe(sent);
    for (const e of flow.edges)
      await expect
        .poll(() => cell(`[data-edge="${e.from} ${e.to}"]`, 'count'))
        .toBe(e.count.toLocaleString('en-US'));

    // …and the overview's totals, backlog and stalled count.
    await open('overview');
    const overview = await json<{ types: { functionType: string; messages: number; invocations: number }[] }>(
      '/v1/overview',
    );
    const stalled = await json<{
      total: number;
      stalled: { functionType: string; id: string; attempts: number }[];
    }>('/v1/stalled');
    expect(stalled.total).toBe(1);
    for (const t of overview.types) {
      const row = `[data-type="${t.functionType}"]`;
      await expect.poll(() => cell(row, 'messages')).toBe(t.messages.toLocaleString('en-US'));
      await expect.poll(() => cell(row, 'invocations')).toBe(t.invocations.toLocaleString('en-US'));
      expect(await cell(row, 'stalled')).toBe(t.functionType === 'console/flaky' ? '1' : '0');
    }
    expect(overview.types.find((t) => t.functionType === 'example/cart')!.messages).toBe(2 * sent);

    // Stalled: the address with its error and attempts; fixed, then "Retry now" makes it recover at once.
    await open('stalled');
    const row = '[data-address="console/flaky/f-1"]';
    await expect.poll(() => cell(row, 'code')).toBe('ERR_INVOKE_HTTP_STATUS');
    expect(Number(await cell(row, 'attempts'))).toBeGreaterThanOrEqual(stalled.stalled[0]!.attempts);
    await page.screenshot({ path: `${SHOTS}stalled.png` });
    // "Retry now" answered with an error (here a read-only token's 403): the error stays past the refreshes, until
    // the user's next action, and the once-a-second redraw keeps the keyboard focus on the same (enabled again)
    // button, from which the Tab order goes on.
    await page.route('**/v1/stalled/console/flaky/f-1/retry', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'ERR_API_FORBIDDEN', message: 'this token is read-only' } }),
      }),
    );
    const focused = async () => ({
      label: await page.locator(':focus').getAttribute('aria-label'),
      disabled: await page.locator(':focus').isDisabled(),
    });
    const retryButton = page.getByRole('button', { name: 'Retry console/flaky/f-1 now' });
    await retryButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').innerText()).toContain('ERR_API_FORBIDDEN');
    await page.waitForTimeout(1_200);
    expect(await page.locator('#status').innerText()).toContain('ERR_API_FORBIDDEN');
    expect(await focused()).toEqual({ label: 'Retry console/flaky/f-1 now', disabled: false });
    await page.keyboard.press('Tab');
    expect((await focused()).label).toBe('Move console/flaky/f-1 to dead letters');
    await page.unrouteAll();
    // Its address in the browser: stalled, with the message it keeps failing on pending.
    await page.goto(`${runtime.url}/console/#address?type=console/flaky&id=f-1`);
    await page.getByText('Pending messages (1)').waitFor();
    await page.getByText('{"n":1}').waitFor();
    await open('stalled');
    broken = false;
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/stalled/console/flaky/f-1/retry'));
    await page.getByRole('button', { name: 'Retry console/flaky/f-1 now' }).click();
    const response = await answered;
    expect(response.status()).toBe(202);
    // The address was waiting for its backoff (up to a minute): the click cut the wait short.
    expect(await response.json()).toEqual({ status: 'retrying' });
    await page.getByText('No address is stalled.').waitFor({ timeout: 5_000 });
    expect((await json<{ total: number }>('/v1/stalled')).total).toBe(0);

    // Address browser: the cart's state decoded, as the state API has it.
    await page.goto(`${runtime.url}/console/#address?type=example/cart&id=Kim`);
    const state = await json<{ values: Record<string, { json: unknown }> }>('/v1/state/example/cart/Kim');
    const [name, value] = Object.entries(state.values)[0]!;
    await expect
      .poll(() => cell(`[data-state="${name}"]`, 'value'))
      .toBe(JSON.stringify(value.json, null, 2));
    await page.screenshot({ path: `${SHOTS}address.png` });
    // The auto-refresh (every 2 s) shows the submitted address, not the fields being edited.
    await page.fill('#address-type', 'example/nothing');
    await page.waitForTimeout(2_100);
    expect(await page.locator(`[data-state="${name}"]`).count()).toBe(1);
    expect(await json('/v1/state/console/flaky/f-1')).toMatchObject({ values: { pokes: { json: 1 } } });

    // Egress tail: the newest record is the API's newest.
    await open('egress');
    const last = await json<{ records: { offset: number; json: unknown }[] }>(
      '/v1/egress/example/cart-results?from=-1',
    );
    await page.locator(`[data-offset="${last.records[0]!.offset}"]`).waitFor();
    await page.screenshot({ path: `${SHOTS}egress.png` });

    // Cluster: a single process owning every key group.
    await open('cluster');
    const cluster = await json<{ mode: string; keyGroups: number; ownedKeyGroups: number }>('/v1/cluster');
    await expect.poll(() => page.locator('[data-field="mode"]').innerText()).toBe(cluster.mode);
    expect(await page.locator('[data-field="keyGroups"]').innerText()).toBe(
      `${cluster.ownedKeyGroups} of ${cluster.keyGroups} owned by this process`,
    );
    await page.screenshot({ path: `${SHOTS}cluster.png` });

    // "Skip to content" focuses the main content and keeps the view (the hash is the views' router).
    await page.focus('a.skip');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#main:focus').count()).toBe(1);
    expect(new URL(page.url()).hash).toBe('#cluster');
    expect(await page.locator('#view-title').innerText()).toBe('Cluster');
    // A token the API rejects (answered 401 here) is said to be rejected; clearing it is confirmed and stays.
    await page.route('**/v1/**', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'ERR_API_UNAUTHENTICATED', message: 'unknown token' } }),
      }),
    );
    await page.fill('#token', 'wrong');
    await page.press('#token', 'Enter');
    await expect.poll(() => page.locator('#status').innerText()).toContain('did not accept this token');
    await page.unrouteAll();
    await page.fill('#token', '');
    await page.press('#token', 'Enter');
    await expect.poll(() => page.locator('[data-field="mode"]').count()).toBe(1);
    expect(await page.locator('#status').innerText()).toBe('Token cleared for this tab.');
  }, 40_000);
});
