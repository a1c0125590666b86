import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const docUrl = new URL('../../../../docs/sdk.md', import.meta.url);
const doc = readFileSync(docUrl, 'utf8');
const blocks = [...doc.matchAll(/<!-- source: ([\w.-]+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({
  file: m[1] ?? '',
  code: m[2] ?? '',
}));

describe('docs/sdk.md', () => {
  test('shows every example file', () => {
    expect(blocks.map((b) => b.file).sort()).toEqual(
      [
        'cart-types.ts',
        'cart.test.ts',
        'cart.ts',
        'inventory.ts',
        'serve-fetch.ts',
        'serve-lambda.ts',
        'serve-node.ts',
        'traced.ts',
        'serve-signed.ts',
      ].sort(),
    );
  });

  test.each(blocks)('the $file block is the compiled, tested file', ({ file, code }) => {
    expect(code).toBe(readFileSync(new URL(file, import.meta.url), 'utf8').trimEnd());
  });
});
