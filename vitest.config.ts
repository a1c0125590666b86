import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import sibling packages from source, so unit tests never need a build. Tests that start the CLI as
// a child process use the built `dist/` (the root `test` script builds first).
export default defineConfig({
  resolve: {
    alias: {
      '@statehouse/protocol': src('protocol'),
      '@statehouse/sdk': src('sdk'),
      // Before '@statehouse/runtime', which would otherwise match the subpath too.
      '@statehouse/runtime/internal': fileURLToPath(
        new URL('./packages/runtime/src/internal.ts', import.meta.url),
      ),
      '@statehouse/runtime': src('runtime'),
      '@statehouse/testkit': src('testkit'),
      '@statehouse/kafka': src('kafka'),
      '@statehouse/kinesis': src('kinesis'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on child processes, servers and the disk rather than compute: two at a time even on a
    // 2-core machine (vitest's default there is one) took the suite from 833 s to about half.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
