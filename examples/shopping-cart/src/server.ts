/** Serves the shopping-cart functions over HTTP (node:http), on PORT (default 8000). */
import { serve } from '@statehouse/sdk';
import { functions } from './index.js';

const port = Number(process.env['PORT'] ?? 8000);
const host = process.env['HOST'] ?? '127.0.0.1';
const server = await serve(functions, { host, port });
console.log(`shopping-cart functions listening on ${server.url}statefun`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void server.close().then(() => process.exit(0)));
