/** Serves the official-SDK shopping cart over node:http on PORT (default 8000), HOST (default 127.0.0.1). */
import { createServer } from 'node:http';
import { createStatefun } from './functions.js';

const port = Number(process.env['PORT'] ?? 8000);
const host = process.env['HOST'] ?? '127.0.0.1';

// The SDK's handler answers every request itself (500 with an empty body when a function throws).
// eslint-disable-next-line @typescript-eslint/no-misused-promises
const server = createServer(createStatefun().handler());
server.listen(port, host, () => {
  // The official SDK answers on any path; module.yaml points at /statefun.
  console.log(`shopping-cart functions (apache-flink-statefun) listening on http://${host}:${port}/statefun`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
