import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiAuth } from './api-auth.js';
import { ConsoleAssets } from './console-assets.js';
import type { ConsoleBackend } from './console-backend.js';
import { ApiServer, type ApiBackend } from './http-server.js';
import { RUNTIME_OPTION_DEFAULTS } from '../runtime-options.js';

const READ = 'read-token-0123456789';
const ADMIN = 'admin-token-0123456789';

describe('console routes', () => {
  let server: ApiServer;
  let base: string;
  const retried: string[] = [];
  const backend: ConsoleBackend = {
    overview: () => Promise.resolve({ types: [] }),
    flow: () => Promise.resolve({ nodes: [], edges: [] }),
    address: (a) => Promise.resolve({ address: { functionType: a.type, id: a.id } }),
    cluster: () => Promise.resolve({ mode: 'single-process' }),
    info: () => ({ logEgresses: [], capabilities: { retryNow: true, deadLetters: true } }),
    retryNow: (a) => {
      retried.push(`${a.type}/${a.id}`);
      return a.id === 'stuck' ? 'retrying' : undefined;
    },
    moveToDeadLetters: (a) => {
      retried.push(`dead-letter ${a.type}/${a.id}`);
      return a.id === 'stuck' ? 'attempting' : undefined;
    },
  };

  beforeAll(async () => {
    server = new ApiServer(
      {
        backend: {} as ApiBackend,
        log: pino({ level: 'silent' }),
        console: { backend, assets: new ConsoleAssets() },
      },
      {
        host: '127.0.0.1',
        port: 0,
        maxIngressBytes: 1024,
        limits: RUNTIME_OPTION_DEFAULTS,
        auth: new ApiAuth({
          tokens: [
            { name: 'reader', token: READ, scopes: ['read'] },
            { name: 'admin', token: ADMIN, scopes: ['read', 'admin'] },
          ],
        }),
      },
    );
    const { port } = await server.listen();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.close());

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('serves the page without a token, with an ETag, a 304 on revalidation and a same-origin CSP', async () => {
    const page = await get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<main id="main"');
    const etag = page.headers.get('etag')!;
    expect((await get('/console/', undefined, { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/console/app.js')).headers.get('content-type')).toContain('text/javascript');
    expect((await get('/console/nope.js')).status).toBe(404);
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe('/console/');
  });

  it('keeps the whole console small (tens of KB) and free of external URLs', async () => {
    const assets = new ConsoleAssets();
    expect(assets.totalBytes).toBeLessThan(64 * 1024);
    for (const name of ['index.html', 'app.js', 'dom.js', 'console.css']) {
      expect(await (await get(`/console/${name}`)).text()).not.toMatch(/(src|href)=["']?(https?:)?\/\//u);
    }
  });

  it('needs read for the JSON routes and admin for retry and dead-letter', async () => {
    expect((await get('/v1/overview')).status).toBe(401);
    expect((await get('/v1/overview', READ)).status).toBe(200);
    expect(await (await get('/v1/addresses/example/cart/a%2Fb', READ)).json()).toEqual({
      address: { functionType: 'example/cart', id: 'a/b' },
    });
    const post = (path: string, token: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await post('/v1/stalled/st/failing/stuck/retry', READ)).status).toBe(403);
    const ok = await post('/v1/stalled/st/failing/stuck/retry', ADMIN);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ status: 'retrying' });
    const missing = await post('/v1/stalled/st/failing/fine/retry', ADMIN);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ERR_API_NOT_STALLED');
    expect((await get('/v1/stalled/st/failing/stuck/retry', ADMIN)).status).toBe(405);
    expect((await post('/v1/stalled/st/failing/stuck/dead-letter', READ)).status).toBe(403);
    const moved = await post('/v1/stalled/st/failing/stuck/dead-letter', ADMIN);
    expect([moved.status, await moved.json()]).toEqual([202, { status: 'attempting' }]);
    expect((await post('/v1/stalled/st/failing/fine/dead-letter', ADMIN)).status).toBe(404);
    expect(retried).toEqual([
      'st/failing/stuck',
      'st/failing/fine',
      'dead-letter st/failing/stuck',
      'dead-letter st/failing/fine',
    ]);
  });
});
