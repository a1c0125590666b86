// Regenerates generated/statefun_pb.{js,d.ts} from proto/*.proto with protobufjs-cli (pbjs + pbts).
// Pure JavaScript: nothing is downloaded. Run with `npm run generate -w @statehouse/protocol`.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protos = readdirSync(join(root, 'proto'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join('proto', f));
const out = join('generated', 'statefun_pb.js');
/** @type {(bin: string, args: string[]) => Buffer} */
const run = (bin, args) =>
  execFileSync('npx', ['--no-install', bin, ...args], { cwd: root, stdio: 'inherit' });

// --force-number: int64 fields (delay_in_ms, expire_after_millis) are plain numbers, never Long objects.
// No verify/convert/delimited helpers: the hot path only needs encode/decode.
run('pbjs', [
  '-t',
  'static-module',
  '-w',
  'es6',
  '--force-number',
  '--no-verify',
  '--no-convert',
  '--no-delimited',
  '--no-typeurl',
  '-o',
  out,
  ...protos,
]);
run('pbts', ['-o', join('generated', 'statefun_pb.d.ts'), out]);
