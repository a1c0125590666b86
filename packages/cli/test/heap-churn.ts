// Churns objects that live long enough to reach V8's old space (a ring of them, each replaced after a while),
// with the runtime's heap-growth setting applied as `statehouse run` applies it, and prints the peak heap in MB.
// Usage: node --import tsx heap-churn.ts <percent> (0: V8's own rule).
import { applyHeapGrowth } from '../src/heap-growth.js';

applyHeapGrowth(Number(process.argv[2]));
const live = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `live ${i}` }));
const ring = new Array<unknown>(200_000);
let peak = 0;
for (let n = 0; n < 2_000_000; n++) {
  ring[n % ring.length] = { n, text: `churn ${n}`, list: [n] };
  if (n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(Math.round(peak / 2 ** 20), live.length > 0 ? '' : 'unused');
