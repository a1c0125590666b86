import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { Gate, createTempDir, moduleYaml, resultReply, serveRecording, startEmbeddedRuntime, waitFor } from '@statehouse/testkit';

import { Dispatcher } from '../../src/engine/dispatcher.js';
import { Committer } from '../../src/engine/committer.js';
import { FunctionClient } from '../../src/invoke/function-client.js';
import { ApiServer } from '../../src/api/http-server.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
for (const [name, cls] of [['dispatcher', Dispatcher], ['committer', Committer], ['client', FunctionClient], ['api', ApiServer], ['store', SqliteStore]] as const) {
  const proto = (cls as unknown as { prototype: { close: () => Promise<void> } }).prototype;
  const orig = proto.close;
  proto.close = async function (this: unknown) { const t = Date.now(); try { return await orig.call(this); } finally { console.log(name, 'close', Date.now() - t); } };
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.reverse()) { const t = Date.now(); await c(); console.log('cleanup', Date.now() - t, c.toString().slice(0, 40)); } cleanups.length = 0; });

for (const variant of ['hang-only', 'no-hang']) {
it(variant, async () => {
  const dir = await createTempDir(); cleanups.push(() => dir.cleanup());
  const gate = new Gate(); cleanups.push(async () => gate.open());
  if (variant === 'no-hang') gate.open();
  const service = await serveRecording(async () => { await gate.wait(); return resultReply({}); });
  cleanups.push(() => service.close());
  const { api, runtime } = await startEmbeddedRuntime({ moduleText: moduleYaml({ endpoints: [{ functions: 'p/*', urlPathTemplate: `${service.url}/x` }] }), dataDir: dir.path, cleanups, options: { logger: pino({ level: 'debug' }) } });
  expect((await api.ingressJson('p/f', 'a', 'p/M', 1)).status).toBe(202);
  await waitFor('req', () => service.requests.length === 1);
  const t = Date.now();
  await runtime.close();
  console.log('close took', Date.now() - t);
});
}
