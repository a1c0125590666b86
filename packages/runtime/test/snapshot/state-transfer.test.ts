/**
 * `statehouse state export` and `state import`: state written by real functions (an `@statehouse/sdk` service
 * storing every well-known type, a JSON value and a value with an expire-after-write TTL) is exported through a
 * running runtime's API and from its stopped data directory (the same bytes), imported into an empty data
 * directory and into a PostgreSQL database, and exported again: the files are identical byte for byte, the TTL's
 * expiry included, and the functions go on from the imported state. A bad line fails the import with its file and
 * line, after the chunks before it were committed; an import killed mid-way resumes after its last committed chunk
 * and ends complete. A value given only as `json` is encoded by its type.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BoolType,
  DoubleType,
  IntType,
  LongType,
  StringType,
  createNodeHandler,
  defineFunction,
  jsonType,
  valueSpec,
} from '@statehouse/sdk';
import {
  ApiClient,
  CLI_BIN,
  RuntimeProcess,
  createTempDir,
  moduleYaml,
  serveHttp,
  startPostgres,
  waitFor,
  type FunctionService,
  type TempDir,
  type TestPostgres,
  cliFailure,
  cliSuccess,
  runCli,
} from '@statehouse/testkit';

/** Runs the CLI; it must succeed. @returns stdout and stderr. */
function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return cliSuccess(args);
}

/** Runs the CLI; it must fail. @returns its exit code and stderr. */
function cliFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  return cliFailure(args);
}

const TTL_MS = 3_600_000;
const HOLDER = 'xfer/holder';
const OTHER = 'xfer/other';
const BULK = 'xfer/bulk';

interface Doc {
  tags: string[];
  nested: { n: number; ok: boolean };
}
const DocType = jsonType<Doc>('xfer/Doc');
const SetAll = jsonType<{ n: number }>('xfer/SetAll');
const Bump = jsonType<{ by: number }>('xfer/Bump');

/** Holds one value of every kind; `SetAll` writes them all from `n`, `Bump` adds to the int. */
const holder = defineFunction({
  type: HOLDER,
  state: {
    i: valueSpec(IntType),
    l: valueSpec(LongType),
    s: valueSpec(StringType),
    b: valueSpec(BoolType),
    d: valueSpec(DoubleType),
    j: valueSpec(DocType),
    t: valueSpec(StringType, { expireAfterWrite: TTL_MS }),
  },
  handle(ctx, message) {
    if (message.is(Bump)) {
      ctx.state.i = (ctx.state.i ?? 0) + message.as(Bump).by;
      return;
    }
    const { n } = message.as(SetAll);
    const id = ctx.self.id;
    ctx.state.i = n % 2 === 0 ? n * 1_000 : -n * 1_000;
    // Past 2^53 for n = 1: the JSON view loses precision, the bytes must not.
    ctx.state.l = n === 1 ? 2n ** 62n + 1n : BigInt(n) * 10_000_000_000n + 1n;
    ctx.state.s = `héllo ${id} ✓ "quoted"\n`;
    ctx.state.b = n % 2 === 0;
    ctx.state.d = n / 3;
    ctx.state.j = { tags: [id, 'ü'], nested: { n, ok: n % 3 === 0 } };
    ctx.state.t = `ttl-${id}`;
  },
});

const other = defineFunction({
  type: OTHER,
  state: { x: valueSpec(IntType) },
  handle(ctx) {
    ctx.state.x = 1;
  },
});

const holderIds = Array.from({ length: 30 }, (_, k) => `h-${String(k + 1).padStart(2, '0')}`);

/** A state line as `state export` writes it, for a JSON value `v` of `xfer/Doc`. */
function docLine(type: string, id: string, doc: Doc): string {
  const bytes = Buffer.from(JSON.stringify(doc)).toString('base64');
  return JSON.stringify({ address: { type, id }, values: { v: { type: 'xfer/Doc', bytes, json: doc } } });
}

const bulkId = (k: number): string => `b-${String(k).padStart(6, '0')}`;
const bulkLines = (count: number): string[] =>
  Array.from({ length: count }, (_, k) =>
    docLine(BULK, bulkId(k + 1), { tags: [bulkId(k + 1)], nested: { n: k + 1, ok: true } }),
  );

/** The line an import of `file` into `dataDir` has committed so far, or 0 (read beside the importer). */
function importPosition(dataDir: string, sha256: string): number {
  const file = join(dataDir, 'statehouse.db');
  if (!existsSync(file)) return 0;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const value = db
      .prepare<[string], string>('SELECT value FROM meta WHERE key = ?')
      .pluck()
      .get(`state_import:${sha256}`);
    return Number(value ?? 0);
  } catch {
    return 0; // not created yet
  } finally {
    db?.close();
  }
}

describe('state export and import', () => {
  let dir: TempDir;
  let service: FunctionService;
  let pg: TestPostgres;
  let module: string;
  const runtimes: RuntimeProcess[] = [];

  beforeAll(async () => {
    const handler = createNodeHandler([holder, other]);
    [dir, service, pg] = await Promise.all([
      createTempDir(),
      serveHttp((req, res) => void handler(req, res)),
      startPostgres(),
    ]);
    module = moduleYaml({ endpoints: [{ functions: 'xfer/*', urlPathTemplate: `${service.url}/statefun` }] });
  }, 60_000);

  afterAll(async () => {
    for (const r of runtimes) await r.kill();
    await service?.close();
    await pg?.stop();
    await dir?.cleanup();
  });

  const startRuntime = async (dataDir: string): Promise<RuntimeProcess> => {
    const runtime = new RuntimeProcess({ dataDir, moduleYaml: module });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
  };

  it('export → wipe → import round-trips state byte for byte, TTL included, into SQLite and PostgreSQL', async () => {
    const sourceDir = join(dir.path, 'source');
    const source = await startRuntime(sourceDir);
    const api = new ApiClient(source.url);
    const writtenFrom = Date.now();
    for (const [k, id] of holderIds.entries())
      expect((await api.ingressJson(HOLDER, id, SetAll.typename, { n: k + 1 })).status).toBe(202);
    for (const id of ['o-1', 'o-2'])
      expect((await api.ingressJson(OTHER, id, 'xfer/Poke', {})).status).toBe(202);
    await waitFor('every value written', async () => {
      const states = await Promise.all([
        ...holderIds.map((id) => api.state(HOLDER, id)),
        api.state(OTHER, 'o-2'),
      ]);
      return states.every((s) => s.status === 200 && Object.keys(s.body.values ?? {}).length > 0);
    });
    const writtenUntil = Date.now();

    // Through the running runtime's API, one type only.
    const running = join(dir.path, 'running.jsonl');
    const exported = await cli('state', 'export', '--url', source.url, '--type', HOLDER, '--to', running);
    expect(exported.stderr).toContain(`exported ${holderIds.length} address(es)`);
    const text = await readFile(running, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { address: { id: string } }).address.id)).toEqual(holderIds);
    type Line = {
      address: { type: string; id: string };
      values: Record<string, { type: string; bytes: string; json?: unknown; expiresAtMs?: number }>;
    };
    const first = JSON.parse(lines[0]!) as Line;
    const second = JSON.parse(lines[1]!) as Line;
    expect(first.address).toEqual({ type: HOLDER, id: 'h-01' });
    expect(Object.keys(first.values)).toEqual(['b', 'd', 'i', 'j', 'l', 's', 't']);
    expect(second.values['i']).toMatchObject({ type: 'io.statefun.types/int', json: 2_000 });
    expect(first.values['i']).toMatchObject({ type: 'io.statefun.types/int', json: -1_000 });
    expect(second.values['l']).toMatchObject({ type: 'io.statefun.types/long', json: 20_000_000_001 });
    expect(Buffer.from(first.values['l']!.bytes, 'base64').readBigInt64LE(1)).toBe(2n ** 62n + 1n);
    expect(second.values['s']).toMatchObject({
      type: 'io.statefun.types/string',
      json: 'héllo h-02 ✓ "quoted"\n',
    });
    expect(second.values['b']).toMatchObject({ type: 'io.statefun.types/bool', json: true });
    expect(second.values['d']).toMatchObject({ type: 'io.statefun.types/double', json: 2 / 3 });
    expect(second.values['j']).toMatchObject({
      type: 'xfer/Doc',
      json: { tags: ['h-02', 'ü'], nested: { n: 2, ok: false } },
    });
    // Only the value with a TTL has an expiry: when it was written plus the TTL.
    const expiry = first.values['t']!.expiresAtMs!;
    expect(first.values['t']).toMatchObject({ type: 'io.statefun.types/string', json: 'ttl-h-01' });
    expect(expiry).toBeGreaterThanOrEqual(writtenFrom + TTL_MS - 1_000);
    expect(expiry).toBeLessThanOrEqual(writtenUntil + TTL_MS + 1_000);
    for (const name of ['b', 'd', 'i', 'j', 'l', 's'])
      expect(first.values[name]).not.toHaveProperty('expiresAtMs');

    // Every type without --type; from the stopped data directory, the same bytes.
    const all = await cli('state', 'export', '--url', source.url);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(holderIds.length + 2);
    expect(await source.stop()).toBe(0);
    const stopped = join(dir.path, 'stopped.jsonl');
    await cli('state', 'export', '--data-dir', sourceDir, '--type', HOLDER, '--to', stopped);
    expect(await readFile(stopped, 'utf8')).toBe(text);

    // Wiped: a new, empty data directory; imported; exported again.
    const wiped = join(dir.path, 'wiped');
    const imported = await cli('state', 'import', '--from', running, '--data-dir', wiped);
    expect(imported.stdout).toContain(
      `imported ${holderIds.length} address(es), ${holderIds.length * 7} value(s)`,
    );
    const again = join(dir.path, 'again.jsonl');
    await cli('state', 'export', '--data-dir', wiped, '--type', HOLDER, '--to', again);
    expect(await readFile(again)).toEqual(await readFile(running));

    // Into PostgreSQL too.
    const store = await pg.createDatabase();
    const intoPg = await cli('state', 'import', '--from', running, '--store', store, '--chunk-lines', '7');
    expect(intoPg.stdout).toContain(`imported ${holderIds.length} address(es)`);
    const fromPg = join(dir.path, 'from-pg.jsonl');
    await cli('state', 'export', '--store', store, '--type', HOLDER, '--to', fromPg);
    expect(await readFile(fromPg)).toEqual(await readFile(running));

    // A runtime on the imported directory serves the state, and the functions go on from it.
    const restored = await startRuntime(wiped);
    const restoredApi = new ApiClient(restored.url);
    const read = await restoredApi.state(HOLDER, 'h-01');
    expect(read.status).toBe(200);
    for (const [name, value] of Object.entries(first.values))
      expect(read.body.values?.[name]).toEqual({ type: value.type, bytes: value.bytes, json: value.json });
    expect((await restoredApi.ingressJson(HOLDER, 'h-02', Bump.typename, { by: 5 })).status).toBe(202);
    await waitFor(
      'the function reads the imported int',
      async () => (await restoredApi.state(HOLDER, 'h-02')).body.values?.['i']?.json === 2_005,
    );
    const after = (await restoredApi.state(HOLDER, 'h-02')).body.values!;
    expect(after['l']).toEqual(second.values['l']);
    expect(after['j']).toEqual(second.values['j']);
    // The TTL's expiry is kept (a Bump does not write `t`).
    const afterExport = join(dir.path, 'after.jsonl');
    await cli('state', 'export', '--url', restored.url, '--type', HOLDER, '--to', afterExport);
    const afterLines = (await readFile(afterExport, 'utf8')).trimEnd().split('\n');
    expect((JSON.parse(afterLines[0]!) as Line).values['t']!.expiresAtMs).toBe(expiry);
    expect((JSON.parse(afterLines[1]!) as Line).values['t']).toEqual(second.values['t']);
    expect(await restored.stop()).toBe(0);
  }, 90_000);

  it('a value given only as json is encoded by its type', async () => {
    const dataDir = join(dir.path, 'json-only');
    const file = join(dir.path, 'json-only.jsonl');
    const doc: Doc = { tags: ['by hand'], nested: { n: 7, ok: true } };
    const line = {
      address: { type: HOLDER, id: 'by-hand' },
      values: {
        i: { type: 'io.statefun.types/int', json: 42 },
        l: { type: 'io.statefun.types/long', json: 1_234_567_890_123 },
        s: { type: 'io.statefun.types/string', json: 'hi ✓' },
        b: { type: 'io.statefun.types/bool', json: true },
        d: { type: 'io.statefun.types/double', json: 2.5 },
        j: { type: 'xfer/Doc', json: doc },
        t: { type: 'io.statefun.types/string', json: 'later', expiresAtMs: Date.now() + TTL_MS },
      },
    };
    await writeFile(file, `${JSON.stringify(line)}\n`);
    expect((await cli('state', 'import', '--from', file, '--data-dir', dataDir)).stdout).toContain(
      'imported 1 address(es), 7 value(s)',
    );
    const runtime = await startRuntime(dataDir);
    const api = new ApiClient(runtime.url);
    const values = (await api.state(HOLDER, 'by-hand')).body.values!;
    const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
    expect(values['i']).toEqual({
      type: 'io.statefun.types/int',
      bytes: b64(IntType.serialize(42)),
      json: 42,
    });
    expect(values['i']!.bytes).toBe(Buffer.from([0x0d, 42, 0, 0, 0]).toString('base64'));
    expect(values['l']).toEqual({
      type: 'io.statefun.types/long',
      bytes: b64(LongType.serialize(1_234_567_890_123n)),
      json: 1_234_567_890_123,
    });
    expect(values['s']).toEqual({
      type: 'io.statefun.types/string',
      bytes: b64(StringType.serialize('hi ✓')),
      json: 'hi ✓',
    });
    expect(values['b']).toEqual({
      type: 'io.statefun.types/bool',
      bytes: b64(BoolType.serialize(true)),
      json: true,
    });
    expect(values['d']).toEqual({
      type: 'io.statefun.types/double',
      bytes: b64(DoubleType.serialize(2.5)),
      json: 2.5,
    });
    expect(values['j']).toEqual({
      type: 'xfer/Doc',
      bytes: b64(Buffer.from(JSON.stringify(doc))),
      json: doc,
    });
    // The SDK decodes what was encoded: the function goes on from 42.
    expect((await api.ingressJson(HOLDER, 'by-hand', Bump.typename, { by: 1 })).status).toBe(202);
    await waitFor(
      'the bump',
      async () => (await api.state(HOLDER, 'by-hand')).body.values?.['i']?.json === 43,
    );
    expect(await runtime.stop()).toBe(0);
  }, 60_000);

  it('a json value that does not fit its well-known type fails its line instead of being coerced', async () => {
    const cases: [string, unknown][] = [
      ['io.statefun.types/bool', 'false'], // a string: must not become `true`
      ['io.statefun.types/int', 3.7],
      ['io.statefun.types/int', 2 ** 32],
      ['io.statefun.types/int', 'abc'],
      ['io.statefun.types/string', 42],
      ['io.statefun.types/double', 'x'],
    ];
    const outcomes = [];
    for (const [k, [type, json]] of cases.entries()) {
      const file = join(dir.path, `misfit-${k}.jsonl`);
      const ok = JSON.stringify({
        address: { type: HOLDER, id: 'fine' },
        values: { v: { type, bytes: '' } },
      });
      const bad = JSON.stringify({ address: { type: HOLDER, id: 'misfit' }, values: { v: { type, json } } });
      await writeFile(file, `${ok}\n${bad}\n`);
      const args = ['state', 'import', '--from', file, '--data-dir', join(dir.path, `misfit-${k}`)];
      const e = await runCli(args);
      const outcome =
        e.code === 0
          ? 'imported'
          : `exit ${e.code}${e.stderr.includes('ERR_STATE_INVALID_LINE') ? ' ERR_STATE_INVALID_LINE' : ''}` +
            `${e.stderr.includes(`${file}:2`) ? ' at line 2' : ''}`;
      outcomes.push({ type, json, outcome });
    }
    expect(outcomes).toEqual(
      cases.map(([type, json]) => ({ type, json, outcome: 'exit 2 ERR_STATE_INVALID_LINE at line 2' })),
    );
    // A long given as a decimal string (JSON numbers cannot hold every long) is exact, or refused: never another number.
    const file = join(dir.path, 'long-text.jsonl');
    const max = '9223372036854775807';
    await writeFile(
      file,
      `${JSON.stringify({ address: { type: HOLDER, id: 'long' }, values: { l: { type: 'io.statefun.types/long', json: max } } })}\n`,
    );
    const dataDir = join(dir.path, 'long-text');
    const imported = await runCli(['state', 'import', '--from', file, '--data-dir', dataDir]);
    const done =
      imported.code === 0 ? 0 : imported.stderr.includes('ERR_STATE_INVALID_LINE') ? imported.code : -1;
    if (done === 0) {
      const line = JSON.parse((await cli('state', 'export', '--data-dir', dataDir)).stdout) as {
        values: { l: { bytes: string } };
      };
      expect(LongType.deserialize(Buffer.from(line.values.l.bytes, 'base64'))).toBe(BigInt(max));
    } else expect(done).toBe(2);
  }, 60_000);

  it('a bad line fails the import with file:line after the chunks before it were committed', async () => {
    const dataDir = join(dir.path, 'bad-line');
    const file = join(dir.path, 'bad.jsonl');
    const good = bulkLines(3_000);
    const lines = [...good];
    lines[1_499] = JSON.stringify({
      address: { type: BULK, id: bulkId(1_500) },
      values: { v: { type: 'io.statefun.types/int' } }, // neither bytes nor json
    });
    await writeFile(file, `${lines.join('\n')}\n`);
    const failed = await cliFails(
      'state',
      'import',
      '--from',
      file,
      '--data-dir',
      dataDir,
      '--chunk-lines',
      '1000',
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('ERR_STATE_INVALID_LINE');
    expect(failed.stderr).toContain(`${file}:1500`);
    // Lines 1..1000 are committed, nothing of the failed chunk (1001..1500).
    const partial = await cli('state', 'export', '--data-dir', dataDir, '--type', BULK);
    expect(partial.stdout).toBe(`${good.slice(0, 1_000).join('\n')}\n`);
    // The same file again resumes after line 1000 and fails on the same line.
    const again = await cliFails(
      'state',
      'import',
      '--from',
      file,
      '--data-dir',
      dataDir,
      '--chunk-lines',
      '1000',
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file}:1500`);

    // Fixed (a new file to the import): complete.
    await writeFile(file, `${good.join('\n')}\n`);
    const fixed = await cli(
      'state',
      'import',
      '--from',
      file,
      '--data-dir',
      dataDir,
      '--chunk-lines',
      '1000',
    );
    expect(fixed.stdout).toContain('imported 3000 address(es), 3000 value(s)');
    const complete = await cli('state', 'export', '--data-dir', dataDir, '--type', BULK);
    expect(complete.stdout).toBe(`${good.join('\n')}\n`);
  }, 60_000);

  it('imports wide addresses and repeated addresses into PostgreSQL as into SQLite (the last line wins)', async () => {
    const file = join(dir.path, 'wide.jsonl');
    const line = (id: string, base: number): string =>
      JSON.stringify({
        address: { type: BULK, id },
        values: Object.fromEntries(
          Array.from({ length: 12 }, (_, k) => [`s${k}`, { type: 'io.statefun.types/int', json: base + k }]),
        ),
      });
    // 1,000 lines of 12 values in one chunk: 84,000 parameters in one statement would be refused.
    const lines = Array.from({ length: 1_000 }, (_, i) => line(`w${i}`, i));
    lines.push(line('w7', 5_000), line('w7', 6_000));
    await writeFile(file, `${lines.join('\n')}\n`);
    const exports: string[] = [];
    for (const target of [
      ['--data-dir', join(dir.path, 'wide-sqlite')],
      ['--store', await pg.createDatabase()],
    ]) {
      await cli('state', 'import', '--from', file, ...target);
      exports.push((await cli('state', 'export', ...target, '--type', BULK)).stdout);
    }
    expect(exports[1]).toBe(exports[0]);
    const w7 = exports[0]!.split('\n').find((l) => l.includes('"id":"w7"'))!;
    expect((JSON.parse(w7) as { values: Record<string, { json: number }> }).values['s0']!.json).toBe(6_000);
  }, 60_000);

  it('an import killed mid-way resumes after its last committed chunk and ends complete', async () => {
    const dataDir = join(dir.path, 'killed');
    const file = join(dir.path, 'big.jsonl');
    const count = 150_000;
    const text = `${bulkLines(count).join('\n')}\n`;
    await writeFile(file, text);
    const sha256 = createHash('sha256').update(text).digest('hex');

    const child = spawn(
      process.execPath,
      [CLI_BIN, 'state', 'import', '--from', file, '--data-dir', dataDir, '--chunk-lines', '1000'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );
    await waitFor('a few chunks committed', () => importPosition(dataDir, sha256) >= 5_000, {
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const committed = importPosition(dataDir, sha256);
    expect(committed).toBeGreaterThanOrEqual(5_000);
    expect(committed).toBeLessThan(count);
    expect(committed % 1_000).toBe(0);

    const resumed = await cli(
      'state',
      'import',
      '--from',
      file,
      '--data-dir',
      dataDir,
      '--chunk-lines',
      '1000',
    );
    expect(resumed.stdout).toContain(`imported ${count - committed} address(es)`);
    expect(resumed.stdout).toContain(`(resumed after line ${committed})`);
    // A finished import forgets its position.
    expect(importPosition(dataDir, sha256)).toBe(0);
    const out = join(dir.path, 'big-out.jsonl');
    await cli('state', 'export', '--data-dir', dataDir, '--to', out);
    expect((await readFile(out, 'utf8')) === text).toBe(true);
  }, 60_000);
});
