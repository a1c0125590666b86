/**
 * `npm run demo`: starts the shopping-cart function service and `statehouse run` on the embedded store,
 * sends a few events, prints what happened, and keeps running until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@statehouse/sdk';
import { functions } from './index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/statehouse.js');
const DATA_DIR = join(REPO, '.statehouse/demo');
const LISTEN = process.env['STATEHOUSE_LISTEN'] ?? '127.0.0.1:8091';
const API = `http://${LISTEN}`;

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

async function post(path: string, typename: string, value: unknown): Promise<void> {
  const res = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { 'statefun-type': typename },
    body: JSON.stringify(value),
  });
  const body = await res.text();
  console.log(`${dim('→')} POST ${path} ${JSON.stringify(value)} ${dim(`${res.status} ${body}`)}`);
  if (res.status !== 202) throw new Error(`ingress answered ${res.status}: ${body}`);
}

async function get(path: string): Promise<unknown> {
  const res = await fetch(`${API}${path}`);
  return res.json();
}

async function waitForRecords(egress: string, count: number): Promise<{ offset: number; json?: unknown }[]> {
  let records: { offset: number; json?: unknown }[] = [];
  for (let next = 0; records.length < count;) {
    const page = (await get(`/v1/egress/${egress}?from=${next}&wait=5000`)) as {
      records: typeof records;
      next: number;
    };
    if (page.records.length === 0) throw new Error(`no ${egress} record arrived in 5 s`);
    records = records.concat(page.records);
    next = page.next;
  }
  return records;
}

async function main(): Promise<void> {
  const service = await serve(functions, { host: '127.0.0.1', port: 0 });
  console.log(`${bold('1.')} function service (written with @statehouse/sdk) on ${service.url}statefun`);

  // The example's module.yaml, pointed at the port the service got.
  const yaml = (await readFile(join(REPO, 'examples/shopping-cart/module.yaml'), 'utf8')).replace(
    'http://127.0.0.1:8000/statefun',
    `${service.url}statefun`,
  );
  await rm(DATA_DIR, { recursive: true, force: true });
  await mkdir(DATA_DIR, { recursive: true });
  const modulePath = join(DATA_DIR, '..', 'demo-module.yaml');
  await writeFile(modulePath, yaml);

  const runtime = spawn(
    process.execPath,
    [CLI, 'run', modulePath, '--data-dir', DATA_DIR, '--listen', LISTEN, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => runtime.once('exit', resolve));
  const stop = (): void => {
    runtime.kill('SIGTERM');
    void exited.then(() => service.close()).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${API}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 100 || runtime.exitCode !== null) {
      console.error(
        `statehouse run did not become ready on ${API}; is the port free? (set STATEHOUSE_LISTEN=host:port)`,
      );
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`${bold('2.')} statehouse run on the embedded store in ${DATA_DIR}, API on ${API}\n`);

  console.log(bold('3. Events'));
  await post('/v1/ingress/example/inventory/socks', 'example/Restock', { itemId: 'socks', quantity: 3 });
  await post('/v1/ingress/example/inventory/hat', 'example/Restock', { itemId: 'hat', quantity: 1 });
  await post('/v1/ingress/example/cart/kim', 'example/AddToCart', {
    userId: 'kim',
    itemId: 'socks',
    quantity: 2,
  });
  await post('/v1/ingress/example/cart/kim', 'example/AddToCart', {
    userId: 'kim',
    itemId: 'hat',
    quantity: 1,
  });
  await post('/v1/ingress/example/cart/lee', 'example/AddToCart', {
    userId: 'lee',
    itemId: 'hat',
    quantity: 1,
  });
  await post('/v1/ingress/example/cart/lee', 'example/AddToCart', {
    userId: 'lee',
    itemId: 'socks',
    quantity: 1,
  });

  console.log(
    `\n${bold('4. Egress example/cart-results')} ${dim('(each AddToCart: cart → inventory → cart → egress)')}`,
  );
  for (const r of await waitForRecords('example/cart-results', 4))
    console.log(`  #${r.offset} ${JSON.stringify(r.json)}`);

  await post('/v1/ingress/example/cart/kim', 'example/Checkout', { userId: 'kim' });
  console.log(`\n${bold('5. Egress example/orders')}`);
  for (const r of await waitForRecords('example/orders', 1))
    console.log(`  #${r.offset} ${JSON.stringify(r.json)}`);
  await new Promise((r) => setTimeout(r, 200));

  console.log(`\n${bold('6. State')}`);
  for (const path of [
    '/v1/state/example/inventory/socks',
    '/v1/state/example/inventory/hat',
    '/v1/state/example/cart/lee',
  ]) {
    const values = ((await get(path)) as { values?: Record<string, { json?: unknown }> }).values ?? {};
    const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.json]));
    console.log(`  ${path.replace('/v1/state/', '')}: ${JSON.stringify(shown)}`);
  }

  console.log(
    `\n${bold('Web console')}: ${API}/console/ ${dim('(live rates, flow, stalled addresses, state, egress)')}`,
  );
  console.log(`\n${bold('Try more')} ${dim('(Ctrl-C to stop)')}:
  npx statehouse state get example/cart/lee --url ${API}
  npx statehouse egress tail example/cart-results --url ${API}
  npx statehouse stalled --url ${API}
  curl -X POST ${API}/v1/ingress/example/inventory/socks -H 'statefun-type: example/Restock' -d '{"itemId":"socks","quantity":5}'
  curl -X POST ${API}/v1/ingress/example/cart/ana -H 'statefun-type: example/AddToCart' -H 'idempotency-key: ana-1' -d '{"userId":"ana","itemId":"socks","quantity":1}'
  curl '${API}/v1/egress/example/cart-results?from=0'
  curl ${API}/v1/state/example/cart/ana
  curl ${API}/metrics | grep statehouse_
`);
  const code = await exited;
  await service.close();
  process.exit(code ?? 1);
}

await main();
