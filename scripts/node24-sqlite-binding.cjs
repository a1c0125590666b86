// Preloaded by scripts/test-node24.sh (NODE_OPTIONS=--require) into every Node 24 process of the test run and
// every worker thread in them (a --require preload runs in worker threads too, an --import one does not):
// vitest, its workers, the CLI processes the tests start and the embedded store's backlog-counting thread.
// better-sqlite3 is a native addon, and the tree's build of it targets Node 20's ABI; this makes Node 24 load the copy compiled for its own ABI instead, so the
// tree is never rebuilt and Node 20 runs in the same checkout keep working meanwhile.
const path = require('node:path');

const binding = process.env.STATEHOUSE_NODE24_SQLITE_BINDING;
const abi = process.env.STATEHOUSE_NODE24_SQLITE_ABI;

// Only a process of the ABI the copy was compiled for: anything else keeps the default build.
if (binding !== undefined && process.versions.modules === abi) {
  const dlopen = process.dlopen.bind(process);
  process.dlopen = (module, filename, ...rest) =>
    dlopen(module, path.basename(filename) === 'better_sqlite3.node' ? binding : filename, ...rest);
}
