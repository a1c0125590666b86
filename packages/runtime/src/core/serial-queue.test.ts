import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

describe('SerialQueue', () => {
  it('runs one piece at a time in queue order, and a rejection does not stop the pieces after it', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const piece =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
      };
    const a = queue.run(piece('a', 20));
    const b = queue.run(piece('b', 1, true));
    const c = queue.run(piece('c', 1));
    await expect(b).rejects.toThrow('b');
    await Promise.all([a, c]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
