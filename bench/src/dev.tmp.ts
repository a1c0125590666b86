import { runCounter } from './workloads/counter.js';
import { startService, cleanupEverything } from './processes.js';
import { QUICK } from './profile.js';
process.on('exit', cleanupEverything);
const svc = await startService((process.argv[2] ?? 'ours') as 'ours');
const r = await runCounter(svc, { ...QUICK, warmupMs: 1000, durationMs: 3000 }, 64);
console.log(r);
await svc.stop();
