/**
 * The isolation workload's second function service (`@statehouse/sdk`): the backlog function, behind a switch.
 * While failing it answers every invocation with 500 (the runtime retries, then stalls the address); once
 * recovered it runs the function, which writes one egress record per message with the seq its committed state
 * held before. Control: `POST /control/fail`, `POST /control/recover`, `GET /control/stats` (calls answered
 * per mode). Prints `{"url":"http://127.0.0.1:<port>"}` once listening; stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createNodeHandler, defineFunction, IntType, jsonType, valueSpec } from '@statehouse/sdk';

import { BACKLOG_EGRESS, BACKLOG_EVENT_TYPENAME, BACKLOG_MESSAGE_TYPENAME, BACKLOG_TYPE } from '../names.js';
import type { BacklogEvent, BacklogMessage } from '../names.js';

const BacklogMessageType = jsonType<BacklogMessage>(BACKLOG_MESSAGE_TYPENAME);
const BacklogEventType = jsonType<BacklogEvent>(BACKLOG_EVENT_TYPENAME);

const backlog = defineFunction({
  type: BACKLOG_TYPE,
  state: { last: valueSpec(IntType) },
  handle(ctx, message) {
    const { seq, index } = message.as(BacklogMessageType);
    const prev = ctx.state.last ?? -1;
    ctx.state.last = seq;
    ctx.egress(BACKLOG_EGRESS, BacklogEventType, { id: ctx.self.id, seq, index, prev });
  },
});

const handler = createNodeHandler([backlog]);
let isFailing = true;
const stats = { failedCalls: 0, servedCalls: 0 };

function control(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.method === 'POST' && req.url === '/control/fail') isFailing = true;
  else if (req.method === 'POST' && req.url === '/control/recover') isFailing = false;
  else if (!(req.method === 'GET' && req.url === '/control/stats')) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ isFailing, ...stats }));
}

const server = createServer((req, res) => {
  if (req.url?.startsWith('/control/') === true) return control(req, res);
  if (!isFailing) {
    stats.servedCalls += 1;
    return handler(req, res);
  }
  stats.failedCalls += 1;
  // Read the whole request first, as a real service would before failing.
  req.resume();
  req.once('end', () => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('the backlog service is down (bench isolation workload)');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
