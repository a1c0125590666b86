// Paired A/B of runtime CPU per message, free of machine drift: two built checkouts run at the same time, each
// with its own function service, under the same fixed-rate (open-loop) counter load, and each window compares
// their CPU over the same seconds. On a shared 2-core VM the machine's speed drifts by up to 2x between
// sequential bench runs, which hides differences under 10 %; here both sides see the same drift.
//
//   node --import tsx bench/src/paired-ab.ts --a /tmp/old-checkout --b . [--rate 1000] [--windows 6] [--window-seconds 10]
//                            [--swap] [--cpu-prof DIR]
//
// Each checkout must be built (`npm ci && npx tsc -b tsconfig.build.json`). The side started first measured a
// few percent dearer in this setup, whichever it was: run once plainly and once with --swap, and take the
// geometric mean of the two ratios. --cpu-prof writes a V8 profile of each runtime into DIR/a and DIR/b.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { Pool, request } from 'undici';

import { sleep } from './load.js';
import { cleanupEverything, clockTicksPerSecond, cpuTimes, freePort, startService } from './processes.js';

const { values: args } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    windows: { type: 'string', default: '6' },
    'window-seconds': { type: 'string', default: '10' },
    swap: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
if (args.a === undefined || args.b === undefined) {
  console.error(
    'usage: node bench/paired-ab.mjs --a DIR --b DIR [--rate N] [--windows N] [--window-seconds N] [--swap]',
  );
  process.exit(2);
}
const RATE = Number(args.rate);
const WINDOWS = Number(args.windows);
const WINDOW_MS = Number(args['window-seconds']) * 1000;
const WARMUP_MS = 10_000;
/** Requests in flight per side at most; beyond, a tick's request is counted as dropped. */
const MAX_IN_FLIGHT = 512;
const KEYS = 1_000;

interface Side {
  readonly name: 'a' | 'b';
  readonly dir: string;
}

interface Runtime extends Side {
  readonly url: string;
  readonly child: ChildProcess;
  readonly workDir: string;
  readonly pool: Pool;
  ok: number;
  other: number;
  inFlight: number;
  dropped: number;
}

interface WindowMark {
  readonly cpu: { readonly user: number; readonly system: number };
  readonly ok: number;
  readonly commits: number;
}

const sides: Side[] = [
  { name: 'a', dir: resolve(args.a) },
  { name: 'b', dir: resolve(args.b) },
];
if (args.swap) sides.reverse();

const started: ChildProcess[] = [];
process.on('exit', () => {
  started.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  cleanupEverything(); // the function services
});
process.on('SIGINT', () => process.exit(130));

async function startRuntime(side: Side, serviceUrl: string): Promise<Runtime> {
  const workDir = await mkdtemp(join(tmpdir(), `paired-ab-${side.name}-`));
  const modulePath = join(workDir, 'module.yaml');
  await writeFile(
    modulePath,
    [
      `kind: io.statefun.endpoints.v2/http\nspec:\n  functions: bench/*\n  urlPathTemplate: ${serviceUrl}/statefun`,
      'kind: io.statehouse.egress.v1/log\nspec:\n  id: bench/counter-out',
    ].join('\n---\n') + '\n',
  );
  const port = await freePort();
  const profDir = args['cpu-prof'];
  const prof = profDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', join(profDir, side.name)] : [];
  const cli = join(side.dir, 'packages/cli/bin/statehouse.js');
  const child = spawn(
    process.execPath,
    [
      ...prof,
      cli,
      'run',
      modulePath,
      '--data-dir',
      join(workDir, 'data'),
      '--listen',
      `127.0.0.1:${port}`,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  started.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the runtime of ${side.dir} exited (${child.exitCode})`);
    try {
      const res = await request(`${url}/readyz`);
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  return {
    ...side,
    url,
    child,
    workDir,
    pool: new Pool(url, { connections: 128, keepAliveTimeout: 60_000 }),
    ok: 0,
    other: 0,
    inFlight: 0,
    dropped: 0,
  };
}

async function commits(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  const m = /^statehouse_commit_duration_seconds_count(?:\{[^}]*\})? (\S+)/m.exec(text);
  return m?.[1] !== undefined ? Number(m[1]) : Number.NaN;
}

let seq = 0;
function send(rt: Runtime): void {
  if (rt.inFlight >= MAX_IN_FLIGHT) {
    rt.dropped++;
    return;
  }
  rt.inFlight++;
  rt.pool
    .request({
      method: 'POST',
      path: `/v1/ingress/bench/counter/k${Math.floor(Math.random() * KEYS)}`,
      headers: { 'statefun-type': 'bench/Increment', 'content-type': 'application/json' },
      body: JSON.stringify({ seq: seq++, sentAt: Date.now() }),
    })
    .then(async (res) => {
      await res.body.dump();
      if (res.statusCode === 202) rt.ok++;
      else rt.other++;
    })
    .catch(() => rt.other++)
    .finally(() => rt.inFlight--);
}

const services = [(await startService('ours')).url, (await startService('ours')).url];
const runtimes: Runtime[] = [
  await startRuntime(sides[0]!, services[0]!),
  await startRuntime(sides[1]!, services[1]!),
];
const t0 = Date.now();
let due = 0;
const ticker = setInterval(() => {
  const target = Math.floor(((Date.now() - t0) / 1000) * RATE);
  const n = target - due;
  due = target;
  // Which side gets a tick's requests first is random, so neither is always first.
  const first = Math.random() < 0.5 ? 0 : 1;
  for (let k = 0; k < n; k++) {
    send(runtimes[first]!);
    send(runtimes[1 - first]!);
  }
}, 10);

await sleep(WARMUP_MS);
console.log(`rate ${RATE} msg/s to each; started first: ${runtimes[0]!.dir}`);
const logRatios: number[] = [];
const mark = (): Promise<WindowMark[]> =>
  Promise.all(
    runtimes.map(async (rt) => ({
      cpu: cpuTimes(rt.child.pid!),
      ok: rt.ok,
      commits: await commits(rt.url),
    })),
  );
for (let w = 1; w <= WINDOWS; w++) {
  const before = await mark();
  await sleep(WINDOW_MS);
  const after = await mark();
  const per: Record<
    string,
    { total: number; user: string; system: string; messages: number; perCommit: string }
  > = {};
  runtimes.forEach((rt, i) => {
    const [b, e] = [before[i]!, after[i]!];
    const messages = e.ok - b.ok;
    const us = (ticks: number): string => ((ticks * 1e6) / clockTicksPerSecond() / messages).toFixed(1);
    const user = e.cpu.user - b.cpu.user;
    const system = e.cpu.system - b.cpu.system;
    per[rt.name] = {
      total: Number(us(user + system)),
      user: us(user),
      system: us(system),
      messages,
      perCommit: (messages / (e.commits - b.commits)).toFixed(1),
    };
  });
  const [pa, pb] = [per.a!, per.b!];
  if (pa.messages === 0 || pb.messages === 0) {
    console.log(`window ${w}: a side acknowledged no message (a ${pa.messages}, b ${pb.messages}); left out`);
    continue;
  }
  logRatios.push(Math.log(pb.total / pa.total));
  const line = (s: 'a' | 'b'): string =>
    `${s}: ${per[s]!.total} µs/msg (user ${per[s]!.user}, system ${per[s]!.system}; ${per[s]!.messages} msgs, ${per[s]!.perCommit}/commit)`;
  console.log(`window ${w}: ${line('a')} | ${line('b')} | b ÷ a ${(pb.total / pa.total).toFixed(3)}`);
}
clearInterval(ticker);
const sideOf = (name: 'a' | 'b'): Runtime => runtimes.find((r) => r.name === name)!;
const mean = logRatios.reduce((x, y) => x + y, 0) / logRatios.length;
const sd = Math.sqrt(logRatios.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, logRatios.length - 1));
const half = (2 * sd) / Math.sqrt(logRatios.length);
console.log(
  `runtime CPU per message, b ÷ a: ${Math.exp(mean).toFixed(3)} (±2 SE ${Math.exp(mean - half).toFixed(3)}-${Math.exp(mean + half).toFixed(3)}); ` +
    `answers other than 202: a ${sideOf('a').other}, b ${sideOf('b').other}; ` +
    `requests not sent (${MAX_IN_FLIGHT} in flight already): a ${sideOf('a').dropped}, b ${sideOf('b').dropped}`,
);
for (const rt of runtimes) rt.child.kill('SIGTERM');
await Promise.all(
  runtimes.map(
    (rt) =>
      new Promise<void>((r) => (rt.child.exitCode !== null ? r() : void rt.child.on('exit', () => r()))),
  ),
);
await Promise.all(runtimes.map((rt) => rm(rt.workDir, { recursive: true, force: true })));
process.exit(0);
